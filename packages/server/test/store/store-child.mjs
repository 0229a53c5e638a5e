// A store in a child process, for kill -9 tests (runs the built dist: needs `tsc -b packages/server`).
//   node store-child.mjs ingest DATA_DIR   ingest batches forever, printing "ack <batchId> <events>" after each ack
//   node store-child.mjs project DATA_DIR  project one batch at a time forever, printing "folded <events>"
//   node store-child.mjs project-worker DATA_DIR  the same in the projection worker thread (as the server)
import { openStore } from '../../dist/store/index.js';

const [mode, dataDir] = process.argv.slice(2);
const store = await openStore({ dataDir });
const write = (line) => process.stdout.write(`${line}\n`);

if (mode === 'ingest') {
  let next = 0;
  const client = async () => {
    for (;;) {
      const id = `b${next++}`;
      const events = Array.from({ length: 50 + (next % 50) }, (_, i) => ({
        type: 'track',
        unit: `u${i}`,
        event: 'click',
        ts: 1_700_000_000_000 + i,
      }));
      const r = await store.ingest('child', id, events);
      write(`ack ${id} ${r.accepted}`);
    }
  };
  await Promise.all([client(), client(), client(), client()]);
} else if (mode === 'project') {
  write('ready');
  for (;;) {
    const n = await store.project(1);
    write(`folded ${n}`);
    if (n === 0) await new Promise((r) => setTimeout(r, 5));
  }
} else if (mode === 'project-worker') {
  const { startProjector } = await import('../../dist/ingest/projector.js');
  const projector = startProjector(store, {
    logger: { error: (obj, msg) => console.error(msg, obj) },
    limitBatches: 1,
    maxBatches: 1,
    intervalMs: 5,
    onProjected: (n) => write(`folded ${n}`),
  });
  if (projector.thread !== 'worker')
    throw new Error(`projecting on the ${projector.thread} thread`);
  write('ready');
  setInterval(() => {}, 1000); // the worker does not keep the process alive by itself
} else {
  throw new Error(`unknown mode ${mode}`);
}
