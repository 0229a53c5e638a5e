/** `threshold token create|list|revoke`: API tokens in the local store (or THRESHOLD_DATABASE_URL). */
import { randomBytes } from 'node:crypto';
import { createToken, scopeSchema, tokenView } from '@threshold/server';
import type { Scope, TokenView } from '@threshold/server';
import { lastValue, parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import {
  cliActor,
  openLocalStore,
  storeExists,
  storeLocation,
} from '../server/open-local-store.js';
import { renderTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';

/** `threshold token create --scope S [--scope S2] [--name N] [--for SUBJECT] [--flags F,...] [--max-units-per-minute N] [--json] [--data-dir D]`. */
export async function runTokenCreate(args: readonly string[], io: Io): Promise<number> {
  const name = 'token create';
  const parsed = parseCommandArgs(args, {
    name,
    flags: ['json'],
    values: ['scope', 'name', 'data-dir', 'flags', 'max-units-per-minute', 'for', 'environment'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return 0;
  }
  const limits = tokenLimitsOf(parsed.values, name);
  const rawScopes = parsed.values.get('scope') ?? [];
  if (rawScopes.length === 0) {
    throw new UsageError(
      'name at least one --scope: sdk, viewer, operator, admin or approver:<role>',
      name,
    );
  }
  const scopes: Scope[] = [];
  for (const raw of rawScopes) {
    const r = scopeSchema.safeParse(raw);
    if (!r.success) throw new UsageError(`--scope: ${r.error.issues[0]?.message ?? raw}`, name);
    scopes.push(r.data);
  }
  const environment = lastValue(parsed, 'environment');
  if (
    !scopes.includes('sdk') &&
    (limits.flags !== undefined ||
      limits.maxUnitsPerMinute !== undefined ||
      environment !== undefined)
  )
    throw new UsageError(
      '--flags, --max-units-per-minute and --environment apply to sdk tokens only: add --scope sdk or leave them out',
      name,
    );
  if (environment !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(environment))
    throw new UsageError(
      `--environment: '${environment}' is not an environment name (lowercase letters, digits and dashes)`,
      name,
    );
  const tokenName =
    lastValue(parsed, 'name') ??
    `${(scopes[0] ?? 'token').replace(':', '-')}-${randomBytes(3).toString('hex')}`;
  if (tokenName.trim() === '' || tokenName.length > 100) {
    throw new UsageError('--name: must be 1 to 100 characters', name);
  }

  const ownerSubject = lastValue(parsed, 'for');
  if (ownerSubject !== undefined && (ownerSubject.trim() === '' || ownerSubject.length > 1000))
    throw new UsageError('--for: the subject must be 1 to 1000 characters', name);
  const dataDir = lastValue(parsed, 'data-dir');
  const where = storeLocation(io, dataDir);
  // A token in a store no server reads is refused later as "unknown or revoked": a new
  // store is made only when asked for by name (--data-dir), never by default.
  const fresh = !storeExists(where);
  if (fresh && dataDir === undefined)
    throw new UsageError(
      `no Threshold store at ${where.describe.replace(/^SQLite at /, '')}: a token there would reach no server. ` +
        "Pass the server's --data-dir (the demo's is .threshold/demo) or set THRESHOLD_DATABASE_URL; " +
        'to start a new store here, pass --data-dir .threshold',
      name,
    );
  const store = await openLocalStore(where, name);
  try {
    const actor = cliActor(io);
    const created = await store.transaction(async (tx) => {
      const made = await createToken(tx, {
        name: tokenName,
        scopes,
        ...limits,
        ...(ownerSubject === undefined ? {} : { ownerSubject }),
        ...(environment === undefined ? {} : { environment }),
      });
      await tx.appendAudit({
        actor,
        action: 'token.created',
        subject: `token:${made.record.id}`,
        data: {
          name: made.record.name,
          scopes: made.record.scopes,
          ...(made.record.flags !== null && { flags: made.record.flags }),
          ...(environment !== undefined && { environment }),
          ...(made.record.maxUnitsPerMinute !== null && {
            maxUnitsPerMinute: made.record.maxUnitsPerMinute,
          }),
          ...(made.record.ownerSubject !== null && { ownerSubject: made.record.ownerSubject }),
        },
      });
      return made;
    });
    if (parsed.flags.has('json')) {
      io.stdout.write(
        `${JSON.stringify({ ...tokenView(created.record), token: created.token }, null, 2)}\n`,
      );
    } else {
      // The secret alone on stdout, so TOKEN=$(threshold token create ...) works.
      io.stdout.write(`${created.token}\n`);
      io.stderr.write(
        `Created token '${created.record.name}' (id ${created.record.id}) with scope ${scopes.join(', ')}${ownerSubject === undefined ? '' : ` for ${ownerSubject}`}${created.record.flags === null ? '' : ` for flags ${created.record.flags.join(', ')}`}${environment === undefined ? '' : ` in environment ${environment}`} in ${where.describe}.\n` +
          'The secret above is shown only once: store it now. Use it as Authorization: Bearer <token>.\n',
      );
    }
    if (fresh)
      io.stderr.write(
        `Note: ${where.describe} did not exist and was created; only a server started with --data-dir ${dataDir ?? ''} accepts this token.\n`,
      );
    return 0;
  } finally {
    await store.close();
  }
}

const FLAG_KEY = /^[^\s,]{1,200}$/;

/** `--flags` (comma-separated, repeatable) and `--max-units-per-minute`, checked. */
function tokenLimitsOf(
  values: ReadonlyMap<string, readonly string[]>,
  name: string,
): { flags?: string[]; maxUnitsPerMinute?: number } {
  const out: { flags?: string[]; maxUnitsPerMinute?: number } = {};
  const rawFlags = values.get('flags');
  if (rawFlags !== undefined) {
    const flags = rawFlags.flatMap((v) => v.split(',')).map((f) => f.trim());
    const bad = flags.find((f) => !FLAG_KEY.test(f));
    if (bad !== undefined || flags.length === 0)
      throw new UsageError(
        `--flags: '${bad ?? ''}' is not a flag key (comma-separated keys such as checkout-v2,search-v3)`,
        name,
      );
    out.flags = flags;
  }
  const rawCap = values.get('max-units-per-minute');
  const cap = rawCap?.[rawCap.length - 1];
  if (cap !== undefined) {
    const n = Number(cap);
    if (!/^\d+$/.test(cap) || n < 1 || n > 1_000_000_000)
      throw new UsageError(
        `--max-units-per-minute: expected a whole number from 1 to 1000000000, got '${cap}'`,
        name,
      );
    out.maxUnitsPerMinute = n;
  }
  return out;
}

/** `threshold token list [--json] [--data-dir D]`. */
export async function runTokenList(args: readonly string[], io: Io): Promise<number> {
  const name = 'token list';
  const parsed = parseCommandArgs(args, {
    name,
    flags: ['json'],
    values: ['data-dir'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return 0;
  }
  const where = storeLocation(io, lastValue(parsed, 'data-dir'));
  const store = await openLocalStore(where, name, { mustExist: true });
  let tokens: TokenView[];
  try {
    tokens = (await store.listTokens()).map(tokenView);
  } finally {
    await store.close();
  }
  if (parsed.flags.has('json')) {
    io.stdout.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
    return 0;
  }
  if (tokens.length === 0) {
    io.stdout.write(
      `No tokens in ${where.describe}. Create one: threshold token create --scope admin\n`,
    );
    return 0;
  }
  const rows = [
    ['id', 'name', 'scopes', 'flags', 'created', 'revoked'],
    ...tokens.map((t) => [
      t.id,
      t.name,
      t.scopes.join(', '),
      t.flags?.join(', ') ?? '*',
      t.createdAt,
      t.revokedAt ?? '—',
    ]),
  ];
  io.stdout.write(
    renderTable(rows, '')
      .map((line) => `${line}\n`)
      .join(''),
  );
  return 0;
}

/** `threshold token revoke ID [--json] [--data-dir D]`. */
export async function runTokenRevoke(args: readonly string[], io: Io): Promise<number> {
  const name = 'token revoke';
  const parsed = parseCommandArgs(args, {
    name,
    flags: ['json'],
    values: ['data-dir'],
    positionals: 'one',
    positionalName: 'ID',
    positionalHint: "name a token id (see 'threshold token list')",
  });
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return 0;
  }
  const id = parsed.positionals[0] ?? '';
  const where = storeLocation(io, lastValue(parsed, 'data-dir'));
  const store = await openLocalStore(where, name, { mustExist: true });
  try {
    const actor = cliActor(io);
    const revoked = await store.transaction(async (tx) => {
      if (!(await tx.revokeToken(id))) return false;
      await tx.appendAudit({ actor, action: 'token.revoked', subject: `token:${id}`, data: {} });
      return true;
    });
    if (!revoked) {
      throw new UsageError(`no active token with id '${id}' (see 'threshold token list')`, name);
    }
    if (parsed.flags.has('json')) io.stdout.write(`${JSON.stringify({ revoked: true, id })}\n`);
    else io.stdout.write(`Revoked token ${id}.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
