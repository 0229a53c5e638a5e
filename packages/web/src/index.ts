/** Public API of @threshold/web. */
export {};
