/** Public API of @threshold/cli. */
export {};
