/**
 * Routes are declared once as data: the app registers them, the OpenAPI document
 * is generated from them, and the scope-matrix test walks them. A route that is
 * not declared here cannot exist.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Access } from '../auth/scopes.js';
import type { AppEnv } from './app-env.js';

/** HTTP methods the API uses. */
export type Method = 'get' | 'post' | 'delete';

/** One documented response. */
export interface ResponseSpec {
  description: string;
  /** JSON body schema (omitted: no body or not JSON). */
  schema?: z.ZodType;
  /** Content type when not JSON, e.g. text/event-stream. */
  contentType?: string;
}

/** One request body alternative for the OpenAPI document. */
export interface BodySpec {
  /** Content types accepted, each with a zod schema or a ready JSON Schema object. */
  content: Record<string, z.ZodType | Record<string, unknown>>;
  required?: boolean;
}

/** A route: where, who, what it takes and answers, and the handler. */
export interface RouteSpec {
  method: Method;
  /** Hono path, `:param` for parameters. */
  path: string;
  access: Access;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: BodySpec;
  /** Success (and route-specific error) responses by status. */
  responses: Record<number, ResponseSpec>;
  /** Error codes this route may answer besides the generic ones (auth, 404 route, 500). */
  errors?: readonly string[];
  /** The handler authenticates itself (the beacon form of /v1/events carries its token in the body). */
  authInHandler?: boolean;
  handler: (c: Context<AppEnv>) => Promise<Response> | Response;
}

/** OpenAPI's `{param}` form of a Hono `:param` path. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** A regular expression matching concrete paths of a Hono route pattern. */
export function pathMatcher(path: string): RegExp {
  const escaped = path
    .split(/(:[A-Za-z_][A-Za-z0-9_]*)/)
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}/?$`);
}
