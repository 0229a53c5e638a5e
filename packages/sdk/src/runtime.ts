/**
 * Feature-detected host APIs. The SDK runs in Node and browsers from one build and
 * imports no Node module, so the few host hooks it needs are declared structurally here.
 */

/** The slice of Node's `process` the SDK uses (to flush on `beforeExit`). */
export interface ProcessLike {
  on(event: 'beforeExit', listener: () => void): unknown;
  off?(event: 'beforeExit', listener: () => void): unknown;
  removeListener?(event: 'beforeExit', listener: () => void): unknown;
}

/** Longest delay timers accept (2^31 - 1 ms); longer ones would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

/** `setTimeout` that never keeps a Node process alive (delay clamped to 0..2^31-1 ms). */
export function setUnrefTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const handle = setTimeout(fn, Math.max(0, Math.min(ms, MAX_DELAY_MS)));
  // A number in browsers, an object with unref() in Node.
  const maybe = handle as unknown as { unref?: () => void } | null;
  if (typeof maybe === 'object' && maybe !== null && typeof maybe.unref === 'function') {
    maybe.unref();
  }
  return handle;
}

/** Node's `process`, when running on Node (or a runtime that emulates `beforeExit`). */
export function nodeProcess(): ProcessLike | undefined {
  const p = (globalThis as { process?: Partial<ProcessLike> }).process;
  return p && typeof p.on === 'function' ? (p as ProcessLike) : undefined;
}

/** The page's `document`, when in a browser. */
export function browserDocument(): Document | undefined {
  const d = (globalThis as { document?: Document }).document;
  return d && typeof d.addEventListener === 'function' ? d : undefined;
}

/** `navigator.sendBeacon` bound to navigator, when available. */
export function beaconSender(): ((url: string, body: Blob) => boolean) | undefined {
  const n = (globalThis as { navigator?: Navigator }).navigator;
  return n && typeof n.sendBeacon === 'function'
    ? (url, body) => n.sendBeacon(url, body)
    : undefined;
}
