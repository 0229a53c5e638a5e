#!/usr/bin/env node
// One command: two versions of a service behind HAProxy, Prometheus, Threshold
// and a load generator; a launch that moves web-v2's weight phase by phase.
//   node examples/infra-canary/run.mjs           # the canary advances to 100%
//   node examples/infra-canary/run.mjs --fault   # web-v2 fails; rolled back to 0% at HAProxy
// Needs `npm install` (it builds Threshold) and Debian's haproxy and prometheus.
import { runInfraCanary } from './infra-canary.mjs';

const fault = process.argv.includes('--fault');
try {
  const result = await runInfraCanary({ fault, say: (line) => console.log(line) });
  process.exitCode = result.outcome === (fault ? 'rolled-back' : 'completed') ? 0 : 1;
} catch (err) {
  console.error(`infra-canary: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
