/** Public API of @threshold/server. */
export {};
