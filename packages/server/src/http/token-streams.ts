/**
 * The open SSE streams of each token, so that revoking a token ends them: at
 * once on the replica that revoked it, and within one poll interval on every
 * other replica (or process, such as `threshold token revoke`) that shares the
 * database. Authentication happens when a request starts; a stream lives for
 * hours, so without this a revoked token would keep receiving updates.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { SseWriter } from './sse-stream.js';

/** Settings of {@link TokenStreams}. */
export interface TokenStreamsOptions {
  store: Store;
  logger: Logger;
  /** How often to look for tokens revoked elsewhere while streams are open (default 250 ms; 0 disables). */
  pollIntervalMs?: number;
}

/** Open streams by token id. */
export class TokenStreams {
  readonly #o: TokenStreamsOptions;
  readonly #byToken = new Map<string, Set<SseWriter>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;

  constructor(options: TokenStreamsOptions) {
    this.#o = options;
  }

  /** Streams open now. */
  get size(): number {
    let n = 0;
    for (const set of this.#byToken.values()) n += set.size;
    return n;
  }

  /** Tracks `writer` as a stream of `tokenId`; returns the function that forgets it. */
  add(tokenId: string, writer: SseWriter): () => void {
    let set = this.#byToken.get(tokenId);
    if (set === undefined) {
      set = new Set();
      this.#byToken.set(tokenId, set);
    }
    set.add(writer);
    return () => {
      const current = this.#byToken.get(tokenId);
      current?.delete(writer);
      if (current?.size === 0) this.#byToken.delete(tokenId);
    };
  }

  /** Ends every open stream of `tokenId` (it was revoked). */
  revoke(tokenId: string): void {
    const set = this.#byToken.get(tokenId);
    if (set === undefined) return;
    this.#byToken.delete(tokenId);
    for (const writer of set) writer.close();
  }

  /** Ends the streams of every token that is revoked or gone in the store. */
  async sweep(): Promise<void> {
    if (this.#byToken.size === 0) return;
    const tokens = await this.#o.store.listTokens();
    const live = new Set(tokens.filter((t) => t.revokedAt === null).map((t) => t.id));
    for (const id of [...this.#byToken.keys()]) {
      // Session streams end at sign-out on the replica that signed out (sign-in-routes.ts).
      if (!live.has(id) && !id.startsWith('session:')) this.revoke(id);
    }
  }

  /** Starts the poll for revocations made elsewhere. */
  start(): void {
    const every = this.#o.pollIntervalMs ?? 250;
    if (every <= 0 || !this.#stopped) return;
    this.#stopped = false;
    const tick = () => {
      this.#timer = setTimeout(() => {
        this.sweep()
          .catch((err: unknown) => this.#o.logger.warn({ err }, 'revocation poll failed'))
          .finally(() => {
            if (!this.#stopped) tick();
          });
      }, every);
      this.#timer.unref();
    };
    tick();
  }

  /** Stops the poll. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
