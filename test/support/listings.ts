import type { ParsedListing } from '@libs/domain';

/** A listing as a source parser gives it: an arXiv paper with one author, unless `overrides` say otherwise. */
export function parsedListing(overrides: Partial<ParsedListing> = {}): ParsedListing {
  return {
    externalId: '2410.00001',
    arxivId: '2410.00001',
    arxivVersion: null,
    doi: null,
    announceType: null,
    title: 'Chain-of-thought reasoning with large language models',
    abstract: 'We improve chain-of-thought reasoning of large language models with test-time compute.',
    authors: ['Ada Lovelace'],
    listedAt: new Date('2026-11-27T10:00:00Z'),
    publishedAt: null,
    upvotes: 5,
    comments: null,
    keywords: [],
    categories: [],
    summary: null,
    url: null,
    codeUrl: null,
    projectUrl: null,
    ...overrides,
  };
}
