export * from './tokenize';
export * from './features';
export * from './model';
export * from './scoring';
export * from './selection';
export * from './explain';
export * from './evaluation';
export * from './seeds';
