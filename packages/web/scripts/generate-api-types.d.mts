/** Types of generate-api-types.mjs, for the test that imports it. */
type Json = Record<string, unknown>;
/** The answers the dashboard reads: type name, method, path, status. */
export const DASHBOARD_ANSWERS: readonly (readonly [string, string, string, string])[];
/** Where the generated types live. */
export const API_SCHEMA_FILE: string;
/** The server's OpenAPI document, from an app on an in-memory store. */
export function openApiDocument(): Promise<Json>;
/** The generated module's text. */
export function renderApiTypes(
  doc: Json,
  answers?: readonly (readonly [string, string, string, string])[],
): Promise<string>;
