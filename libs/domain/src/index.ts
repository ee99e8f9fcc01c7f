export * from './errors';
export * from './digests/schedule';
export * from './papers/arxiv-id';
export * from './papers/listing';
export * from './tokens/signed-token';
export * from './topics';
export * from './tokens/subscriber-links';
