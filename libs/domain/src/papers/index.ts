// Identity, matching, merging and search of papers.
export * from './arxiv-id';
export * from './authors';
export * from './doi';
export * from './identifiers';
export * from './listing';
export * from './paper-match';
export * from './paper-merge';
export * from './search-query';
export * from './search-terms';
export * from './title-key';
export * from './batch-merge';
