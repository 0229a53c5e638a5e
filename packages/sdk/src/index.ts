/** Public API of @threshold/sdk. */
export {};
