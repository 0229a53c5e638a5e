/** A FIFO async mutex: the SQLite connection has one user at a time. */
export class AsyncMutex {
  #locked = false;
  #waiters: (() => void)[] = [];

  /** Resolves when the caller holds the lock; call {@link unlock} exactly once after. */
  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hand the lock to the next waiter, or free it. */
  unlock(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next();
  }
}
