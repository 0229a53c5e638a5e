/**
 * A source connection's TLS failure in words, with the fix when there is one,
 * shared by the Prometheus and http sources: without it a certificate from a
 * private CA read as "unreachable", which sends people to the network instead of
 * to the source's `ca_file`.
 */
import { caOption } from './ca-file.js';
import type { SourceConfig } from './metric-source.js';

/** Certificate checks that fail because the issuing CA is not trusted (ca_file fixes these). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);
/** Other certificate checks: the certificate itself is wrong for this URL or time. */
const REJECTED = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
]);

/** What went wrong with TLS, e.g. "TLS certificate not trusted (…); set …", or undefined when it is not TLS. */
export function tlsProblem(
  config: Pick<SourceConfig, 'name' | 'kind'>,
  err: NodeJS.ErrnoException,
): string | undefined {
  const code = err.code ?? '';
  if (UNTRUSTED.has(code))
    return `TLS certificate not trusted (${code}: ${err.message}); set ${caOption(config)} to the CA that signed it`;
  if (REJECTED.has(code)) return `TLS certificate rejected (${code}: ${err.message})`;
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO')
    return `TLS handshake failed (${err.message})`;
  return undefined;
}
