/** The plan's JSON Schema, generated from the zod schema (what authors write: input form). */
import { z } from 'zod';
import type { PlanPath } from './plan-error.js';
import { planSchema } from './plan-schema.js';

/** A JSON Schema node, as much of it as the walkers here read. */
export interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: boolean | JsonSchemaNode;
  propertyNames?: JsonSchemaNode;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  [key: string]: unknown;
}

/** Where the committed copy lives and what it calls itself. */
export const PLAN_SCHEMA_ID = 'https://threshold.dev/schema/plan.schema.json';

let cached: JsonSchemaNode | undefined;

/** The JSON Schema (draft 2020-12) of a launch plan. */
export function planJsonSchema(): JsonSchemaNode {
  cached ??= {
    $id: PLAN_SCHEMA_ID,
    ...(z.toJSONSchema(planSchema, {
      io: 'input',
      unrepresentable: 'any',
      // zod leaves out defaults around schemas with transforms in input mode;
      // every default must be visible to plan authors, so put them back.
      override: (ctx) => {
        const def = ctx.zodSchema._zod.def;
        if (def.type === 'default' && ctx.jsonSchema.default === undefined) {
          const d = (def as unknown as { defaultValue: unknown }).defaultValue;
          ctx.jsonSchema.default = JSON.parse(
            JSON.stringify(typeof d === 'function' ? (d as () => unknown)() : d),
          );
        }
      },
    }) as JsonSchemaNode),
  };
  return cached;
}

/** Every alternative a node stands for (anyOf/oneOf flattened). */
export function alternatives(node: JsonSchemaNode): JsonSchemaNode[] {
  const alts = node.anyOf ?? node.oneOf;
  if (alts === undefined) return [node];
  return alts.flatMap(alternatives);
}

/** The schema nodes that can sit at a path of a plan. */
export function schemaAt(
  path: PlanPath,
  root: JsonSchemaNode = planJsonSchema(),
): JsonSchemaNode[] {
  let nodes = alternatives(root);
  for (const seg of path) {
    const next: JsonSchemaNode[] = [];
    for (const n of nodes) {
      if (typeof seg === 'number') {
        if (n.items) next.push(...alternatives(n.items));
      } else if (n.properties?.[seg]) {
        next.push(...alternatives(n.properties[seg]));
      } else if (typeof n.additionalProperties === 'object') {
        next.push(...alternatives(n.additionalProperties));
      }
    }
    nodes = next;
  }
  return nodes;
}

/** Keys a mapping may have at a path (for "did you mean"). */
export function allowedKeysAt(path: PlanPath): string[] {
  const keys = new Set<string>();
  for (const n of schemaAt(path)) for (const k of Object.keys(n.properties ?? {})) keys.add(k);
  return [...keys];
}
