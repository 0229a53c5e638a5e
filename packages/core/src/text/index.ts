export * from './did-you-mean.js';
