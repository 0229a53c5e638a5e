/**
 * A source's private CA bundle (`ca_file`, `THRESHOLD_<KIND>_CA_FILE`), read once
 * when the source opens: a file that cannot be read or holds no PEM certificate
 * stops the start with the option named, instead of a bare ENOENT (or an EACCES
 * that `threshold serve` would mistake for its port).
 */
import { readFileSync } from 'node:fs';
import type { SourceConfig } from './metric-source.js';
import { SourceConfigError } from './source-config.js';

/** Where the CA option of this source is set, for messages. */
export function caOption(config: Pick<SourceConfig, 'name' | 'kind'>): string {
  return config.name === config.kind
    ? `THRESHOLD_${config.kind.toUpperCase()}_CA_FILE`
    : `ca_file of source ${config.name}`;
}

/** The PEM text of the source's CA file. */
export function readCaFile(config: SourceConfig & { caFile: string }): string {
  let pem: string;
  try {
    pem = readFileSync(config.caFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SourceConfigError(`${caOption(config)}: cannot read ${config.caFile} (${code})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new SourceConfigError(`${caOption(config)}: ${config.caFile} holds no PEM certificate`);
  return pem;
}
