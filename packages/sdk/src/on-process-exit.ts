import { nodeProcess } from './runtime.js';

const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  for (const hook of [...hooks]) {
    try {
      hook();
    } catch {
      // an exit hook must never crash the exiting process
    }
  }
}

/**
 * Runs `hook` on Node's `beforeExit` (when the event loop runs out of work). One
 * process listener serves every client, so a process with thousands of clients
 * gets no MaxListenersExceededWarning. Outside Node this does nothing.
 * Returns the function that removes the hook.
 */
export function onProcessExit(hook: () => void): () => void {
  const proc = nodeProcess();
  if (!proc) return () => undefined;
  hooks.add(hook);
  if (!installed) {
    installed = true;
    proc.on('beforeExit', runHooks);
  }
  return () => {
    hooks.delete(hook);
    if (hooks.size === 0 && installed) {
      installed = false;
      (proc.off ?? proc.removeListener)?.call(proc, 'beforeExit', runHooks);
    }
  };
}
