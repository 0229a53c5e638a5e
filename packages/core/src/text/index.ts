export * from './did-you-mean.js';
export * from './line-diff.js';
