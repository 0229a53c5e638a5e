/** Public API of @threshold/server. */
export type * from './store/store.js';
