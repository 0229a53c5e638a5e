import type {
  AnyProviderEvent,
  EventContext,
  EventHandler,
  Logger,
  ProviderEventEmitter,
} from '@openfeature/core';

/**
 * A dependency-free implementation of OpenFeature's `ProviderEventEmitter`, so the
 * providers need no runtime import from the (optional) OpenFeature packages. It
 * behaves like the SDKs' own emitter: handlers run in order, may be async, and their
 * failures are logged, never propagated.
 */
export class ProviderEvents implements ProviderEventEmitter<AnyProviderEvent> {
  readonly #handlers = new Map<AnyProviderEvent, EventHandler[]>();
  #logger: Logger | undefined;

  /** Calls every handler of `eventType` with `context`. */
  emit(eventType: AnyProviderEvent, context?: EventContext): void {
    for (const handler of [...(this.#handlers.get(eventType) ?? [])]) {
      try {
        const result = handler(context as Parameters<EventHandler>[0]);
        if (result instanceof Promise) result.catch((err: unknown) => this.#log(err));
      } catch (err) {
        this.#log(err);
      }
    }
  }

  /** Adds a handler (the same handler may be added more than once). */
  addHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const list = this.#handlers.get(eventType) ?? [];
    list.push(handler);
    this.#handlers.set(eventType, list);
  }

  /** Removes the last registration of `handler`. */
  removeHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const list = this.#handlers.get(eventType);
    if (!list) return;
    const i = list.lastIndexOf(handler);
    if (i !== -1) list.splice(i, 1);
  }

  /** Removes every handler of one type, or of all types. */
  removeAllHandlers(eventType?: AnyProviderEvent): void {
    if (eventType === undefined) this.#handlers.clear();
    else this.#handlers.delete(eventType);
  }

  /** The handlers of a type. */
  getHandlers(eventType: AnyProviderEvent): EventHandler[] {
    return [...(this.#handlers.get(eventType) ?? [])];
  }

  /** Sets the logger used for handler failures. */
  setLogger(logger: Logger): this {
    this.#logger = logger;
    return this;
  }

  #log(err: unknown): void {
    try {
      this.#logger?.error('Error running event handler:', err);
    } catch {
      // a broken logger must not break the provider
    }
  }
}
