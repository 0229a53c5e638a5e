/** Public API of @threshold/core. */
export {};
