export * from './errors';
export * from './digests/schedule';
export * from './papers';
export * from './tokens/signed-token';
export * from './topics';
export * from './tokens/subscriber-links';
export * from './secrets/secret-box';
export * from './rendering';
