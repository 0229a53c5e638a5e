import * as z from 'zod/mini';
import { AUDIENCE_OPERATORS, checkAudienceConstraint } from '../audience/index.js';
import type { AudienceConstraint, AudienceOperator } from '../audience/index.js';
import { BUCKET_COUNT, HASH_VERSIONS } from '../bucketing/index.js';
import type { HashVersion } from '../bucketing/index.js';
import { safeParseWith } from './parse-result.js';
import type { WireParseResult } from './parse-result.js';
import { WIRE_VERSION } from './wire-routes.js';

/** Lifecycle state of a launch as the SDK sees it. */
export type FlagState = 'running' | 'paused' | 'rolled-back' | 'completed';

/** All {@link FlagState} values. */
export const FLAG_STATES: readonly FlagState[] = ['running', 'paused', 'rolled-back', 'completed'];

/**
 * Everything an SDK needs to evaluate one flag locally.
 *
 * Semantics by `state`:
 * - `running`, `paused`: audience check, then bucketing — `bucket < traffic` is treatment,
 *   the rest is control (`control: 'rest'`) or a same-size holdout from the top buckets
 *   (`control: 'holdout'`, everyone else `excluded`), exactly as core's `armOf`. `paused` means the phase is frozen, not advancing; evaluation
 *   is identical to `running`.
 * - `rolled-back`: everyone off (reason `ROLLED_BACK`), no exposure.
 * - `completed`: everyone in the audience on (reason `COMPLETED`), no exposure.
 */
export interface FlagConfig {
  /** Flag key the application asks for (`isOn(key, ctx)`); unique within a document. */
  key: string;
  /** Launch id; exposures carry it, dedupe is per (launch, unit). */
  launch: string;
  /** Launch salt fed to the bucketing hash; two launches' buckets are independent. */
  salt: string;
  /** Bucketing hash version (stored with the plan, never changes for a released version). */
  hashVersion: HashVersion;
  /** Context attribute holding the unit id, e.g. `userId`. */
  unit: string;
  /** Launch state, see the type's doc. */
  state: FlagState;
  /** Treatment buckets, 0..BUCKET_COUNT (10,000 = 100%, 1 = 0.01%). */
  traffic: number;
  /** Audience constraints, all must hold; `[]` = everyone. */
  audience: AudienceConstraint[];
  /** Control arm: the rest of the population, or a same-size holdout (see core's `armOf`). */
  control: 'rest' | 'holdout';
  /** Current phase name (informational; copied into exposures). */
  phase?: string;
  /** Plan version the launch runs (informational). */
  planVersion?: number;
}

/**
 * The full flag configuration served to SDKs by `GET /v1/config` and the `config`
 * event of `GET /v1/stream`. Always complete (never a delta).
 */
export interface ConfigDocument {
  /** Wire format version, always {@link WIRE_VERSION}. */
  wireVersion: typeof WIRE_VERSION;
  /** Opaque version; also the HTTP ETag (quoted) and the SSE event id. Visible ASCII, no `"`. */
  version: string;
  /** ISO-8601 time the server generated this document. */
  generatedAt: string;
  /** Every flag the token may see. */
  flags: FlagConfig[];
}

/** Visible ASCII except `"`: safe inside a quoted ETag and an SSE `id:` line. */
const VERSION_PATTERN = /^[\x21\x23-\x7e]{1,200}$/;

const audienceValueSchema = z.union([z.string(), z.number(), z.boolean()]);
const name = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * zod schema of {@link AudienceConstraint}, with the audience module's own arity and type rules
 * (`checkAudienceConstraint`), so a document that parses always compiles.
 */
export const audienceConstraintSchema: z.ZodMiniType<AudienceConstraint> = z
  .object({
    attribute: z.string().check(z.minLength(1)),
    op: z.custom<AudienceOperator>(
      (v) => (AUDIENCE_OPERATORS as readonly unknown[]).includes(v),
      `op must be one of ${AUDIENCE_OPERATORS.join(', ')}`,
    ),
    values: z.array(audienceValueSchema),
  })
  .check(
    z.superRefine((c, ctx) => {
      const problem = checkAudienceConstraint(c);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['values'], message: problem });
    }),
  );

/** zod schema of {@link FlagConfig}. */
export const flagConfigSchema: z.ZodMiniType<FlagConfig> = z.object({
  key: name(200),
  launch: name(200),
  salt: name(200),
  hashVersion: z.custom<HashVersion>(
    (v) => (HASH_VERSIONS as readonly unknown[]).includes(v),
    `hashVersion must be one of ${HASH_VERSIONS.join(', ')}`,
  ),
  unit: name(200),
  state: z.enum(['running', 'paused', 'rolled-back', 'completed']),
  traffic: z.int().check(z.minimum(0), z.maximum(BUCKET_COUNT)),
  audience: z.array(audienceConstraintSchema),
  control: z.enum(['rest', 'holdout']),
  phase: z.optional(z.string()),
  planVersion: z.optional(z.int().check(z.minimum(0))),
});

/** zod schema of {@link ConfigDocument} (flag keys must be unique). */
export const configDocumentSchema: z.ZodMiniType<ConfigDocument> = z
  .object({
    wireVersion: z.literal(WIRE_VERSION),
    version: z
      .string()
      .check(z.regex(VERSION_PATTERN, 'version must be 1-200 visible ASCII chars, no "')),
    generatedAt: z.string().check(z.minLength(1)),
    flags: z.array(flagConfigSchema),
  })
  .check(
    z.superRefine((doc, ctx) => {
      const seen = new Set<string>();
      doc.flags.forEach((flag, i) => {
        if (seen.has(flag.key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['flags', i, 'key'],
            message: `duplicate flag key ${flag.key}`,
          });
        }
        seen.add(flag.key);
      });
    }),
  );

/** Validates an already JSON-decoded value as a {@link ConfigDocument}. Never throws. */
export function parseConfigDocument(json: unknown): WireParseResult<ConfigDocument> {
  return safeParseWith(configDocumentSchema, json);
}
