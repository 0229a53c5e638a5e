import type { AnyProviderEvent } from '@openfeature/core';
import type { ThresholdClient } from '../threshold-client.js';
import type { ProviderEvents } from './provider-event-emitter.js';
import { OF_EVENTS } from './resolve-boolean.js';

/**
 * Forwards client events to OpenFeature provider events, once `isInitialized()`
 * (the SDK itself emits the first READY / ERROR when `initialize()` settles):
 * - `change` → CONFIGURATION_CHANGED with `flagsChanged` (plus READY if a rejected
 *   config had put the provider in ERROR);
 * - `stale` → STALE; `ready` (recovery) → READY;
 * - a rejected config (`error` of kind `config`) → ERROR; other errors are only logged
 *   by the client's `onError`, since losing the server is already STALE.
 * Returns the function that unbinds everything.
 */
export function bindClientEvents(
  client: ThresholdClient,
  events: ProviderEvents,
  isInitialized: () => boolean,
): () => void {
  let errored = false;
  const emit = (type: string, context?: Record<string, unknown>): void => {
    if (isInitialized()) events.emit(type as AnyProviderEvent, context);
  };
  const off = [
    client.on('change', (e) => {
      emit(OF_EVENTS.changed, { flagsChanged: e.flagsChanged, metadata: { version: e.version } });
      if (errored) {
        errored = false;
        emit(OF_EVENTS.ready, {});
      }
    }),
    client.on('stale', (e) => emit(OF_EVENTS.stale, { message: String(e.error) })),
    client.on('ready', () => {
      errored = false;
      emit(OF_EVENTS.ready, {});
    }),
    client.on('error', (e) => {
      if (e.kind !== 'config') return;
      errored = true;
      emit(OF_EVENTS.error, { message: String(e.error) });
    }),
  ];
  return () => off.forEach((f) => f());
}
