import { ListingMerge, PaperRecord, planBatchMerge } from './batch-merge';
import { PaperMetadata } from './paper-merge';
import { titleKey } from './title-key';

const NOW = new Date('2026-11-28T12:00:00Z');

const metadata = (overrides: Partial<PaperMetadata> = {}): PaperMetadata => ({
  title: 'Sparse Attention with Linear Memory',
  abstract: 'An abstract.',
  authors: ['Alice Smith', 'Bob Jones'],
  upvotes: 0,
  keywords: [],
  categories: [],
  summary: null,
  url: null,
  codeUrl: null,
  projectUrl: null,
  version: null,
  listedAt: new Date('2026-11-27T10:00:00Z'),
  publishedAt: null,
  ...overrides,
});

const listing = (
  listingId: string,
  identifiers: Partial<ListingMerge['identifiers']>,
  overrides: Partial<PaperMetadata> = {},
): ListingMerge => {
  const meta = metadata({ version: identifiers.version ?? null, ...overrides });
  return {
    listingId,
    identifiers: { arxivId: null, doi: null, version: null, ...identifiers },
    titleKey: titleKey(meta.title),
    metadata: meta,
    replacement: false,
  };
};

const paper = (id: string, overrides: Partial<PaperRecord> = {}): PaperRecord => {
  const meta = metadata(overrides);
  return {
    ...meta,
    id,
    arxivId: null,
    doi: null,
    titleKey: titleKey(meta.title),
    readyAt: new Date('2026-11-27T11:00:00Z'),
    ...overrides,
  };
};

const ids = (): (() => string) => {
  let next = 0;
  return () => `new-${(next += 1)}`;
};

describe(planBatchMerge.name, () => {
  it('should make one paper of the listings of one paper within the batch, at its latest version', () => {
    const plan = planBatchMerge(
      [],
      [
        listing('l1', { arxivId: '2411.00001', version: 1 }, { upvotes: 3 }),
        listing('l2', { arxivId: '2411.00001', version: 2 }, { upvotes: 9, abstract: 'A revised abstract.' }),
        listing('l3', {}, { title: '[PREPRINT] Sparse attention with linear memory', authors: ['A. Smith'] }),
      ],
      NOW,
      ids(),
    );
    expect(plan.inserted).toHaveLength(1);
    expect(plan.inserted[0]).toMatchObject({
      id: 'new-1',
      arxivId: '2411.00001',
      version: 2,
      upvotes: 9,
      abstract: 'A revised abstract.',
      readyAt: NOW,
    });
    expect(plan.links).toEqual([
      { listingId: 'l1', paperId: 'new-1', matchedBy: 'new' },
      { listingId: 'l2', paperId: 'new-1', matchedBy: 'arxivId' },
      { listingId: 'l3', paperId: 'new-1', matchedBy: 'title' },
    ]);
    expect(plan.updated).toEqual([]);
    expect(plan.retag.map((p) => p.id)).toEqual(['new-1']);
  });

  it('should attach a title-only listing to the paper of its batch whatever the order the batch came in', () => {
    const blog = listing('l1', {}, { title: '[PREPRINT] Sparse attention with linear memory', authors: ['A. Smith'] });
    const preprint = listing('l2', { arxivId: '2411.00001', version: 1 });
    const plan = planBatchMerge([], [blog, preprint], NOW, ids());
    expect(plan.inserted).toHaveLength(1);
    expect(plan.inserted[0]).toMatchObject({ id: 'new-1', arxivId: '2411.00001' });
    expect(plan.links).toEqual(
      expect.arrayContaining([
        { listingId: 'l1', paperId: 'new-1', matchedBy: 'title' },
        { listingId: 'l2', paperId: 'new-1', matchedBy: 'new' },
      ]),
    );
  });

  it('should update a known paper without re-tagging it when only its upvotes and version change', () => {
    const known = paper('p1', { arxivId: '2411.00002', version: 1, upvotes: 2 });
    const plan = planBatchMerge(
      [known],
      [listing('l1', { arxivId: '2411.00002', version: 2 }, { upvotes: 40 })],
      NOW,
      ids(),
    );
    expect(plan.inserted).toEqual([]);
    expect(plan.updated).toEqual([expect.objectContaining({ id: 'p1', version: 2, upvotes: 40 })]);
    expect(plan.retag).toEqual([]);
  });

  it('should leave a known paper alone when a listing adds nothing to it', () => {
    const known = paper('p1', { arxivId: '2411.00003', version: 2 });
    const plan = planBatchMerge([known], [listing('l1', { arxivId: '2411.00003', version: 1 })], NOW, ids());
    expect(plan.updated).toEqual([]);
    expect(plan.retag).toEqual([]);
    expect(plan.links).toEqual([{ listingId: 'l1', paperId: 'p1', matchedBy: 'arxivId' }]);
  });

  it('should fold a known DOI-only record into the arXiv paper, and give a DOI-only listing the arXiv paper of its DOI', () => {
    const arxiv = paper('p1', { arxivId: '2411.00004' });
    const journal = paper('p2', { doi: '10.1000/known', title: 'Journal title', abstract: 'A much longer abstract.' });
    const plan = planBatchMerge(
      [arxiv, journal],
      [
        listing('l1', { arxivId: '2411.00004', doi: '10.1000/known' }),
        listing('l2', { doi: '10.1000/fresh' }, { title: 'Another paper entirely' }),
        listing('l3', { arxivId: '2411.00005', doi: '10.1000/fresh' }, { title: 'Another paper entirely' }),
      ],
      NOW,
      ids(),
    );
    expect(plan.absorbed).toEqual([{ duplicateId: 'p2', intoId: 'p1' }]);
    expect(plan.updated).toEqual([
      expect.objectContaining({ id: 'p1', doi: '10.1000/known', abstract: 'A much longer abstract.' }),
    ]);
    // l2 has only the DOI that l3's new arXiv paper has: one new paper, both listings on it.
    expect(plan.inserted).toEqual([expect.objectContaining({ arxivId: '2411.00005', doi: '10.1000/fresh' })]);
    const fresh = plan.inserted[0].id;
    expect(
      plan.links
        .filter((link) => link.paperId === fresh)
        .map((link) => link.listingId)
        .sort(),
    ).toEqual(['l2', 'l3']);
  });

  it('should make one paper of an arXiv listing and a DOI-only one it names, whichever comes first in the batch', () => {
    const listings = [
      listing('l2', { doi: '10.1000/journal' }, { title: 'The journal title' }),
      listing('l1', { arxivId: '2411.00008' }),
      listing('l3', { arxivId: '2411.00008', doi: '10.1000/journal' }),
    ];
    for (const order of [listings, [...listings].reverse()]) {
      const plan = planBatchMerge([], order, NOW, ids());
      expect(plan.inserted).toEqual([
        expect.objectContaining({ id: 'new-1', arxivId: '2411.00008', doi: '10.1000/journal' }),
      ]);
      expect(plan.absorbed).toEqual([]);
      expect(plan.links.map((link) => link.paperId)).toEqual(['new-1', 'new-1', 'new-1']);
    }
  });

  it('should keep a DOI with the arXiv paper that has it and make a new paper when two match by title', () => {
    const plan = planBatchMerge(
      [
        paper('p1', { arxivId: '2411.00006', doi: '10.1000/taken' }),
        paper('p2', { doi: '10.1000/one', authors: ['Alice Smith', 'Carol Wu'] }),
        paper('p3', { doi: '10.1000/two', authors: ['Alice Smith', 'Dan Lee'] }),
      ],
      [
        listing('l1', { arxivId: '2411.00007', doi: '10.1000/taken' }, { title: 'Unrelated work' }),
        listing('l2', {}, { authors: ['Alice Smith'] }),
      ],
      NOW,
      ids(),
    );
    expect(plan.inserted).toEqual([
      expect.objectContaining({ arxivId: '2411.00007', doi: null }),
      expect.objectContaining({ arxivId: null, doi: null, title: 'Sparse Attention with Linear Memory' }),
    ]);
    expect(plan.links.map((link) => link.matchedBy)).toEqual(['new', 'new']);
  });

  describe('whatever order the batch comes in (the classifier reads it by random listing id)', () => {
    /** Which listings ended up together, independent of the ids the plan made up. */
    const grouping = (known: PaperRecord[], listings: ListingMerge[]): string[] => {
      const groups = new Map<string, string[]>();
      for (const link of planBatchMerge(known, listings, NOW, ids()).links) {
        groups.set(link.paperId, [...(groups.get(link.paperId) ?? []), link.listingId].sort());
      }
      return [...groups.entries()]
        .map(([paperId, members]) => `${paperId.startsWith('new-') ? '' : `${paperId}:`}${members.join('+')}`)
        .sort();
    };
    const permutations = <T>(items: T[]): T[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, index) =>
            permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
          );

    it('should group an arXiv listing and two DOI-only listings of its title (conference, journal) one way', () => {
      const listings = [
        listing('arxiv', { arxivId: '2411.00001' }),
        listing('conference', { doi: '10.1000/conference' }),
        listing('journal', { doi: '10.1000/journal' }),
      ];
      const outcomes = new Set(permutations(listings).map((order) => JSON.stringify(grouping([], order))));
      expect([...outcomes]).toEqual([JSON.stringify(['arxiv+conference', 'journal'])]);
    });

    it('should leave a DOI-only listing apart when another arXiv paper of the batch makes its title match unclear', () => {
      const known = [paper('p-known', { arxivId: '2411.00001' })];
      const listings = [listing('arxiv-2', { arxivId: '2411.00002' }), listing('journal', { doi: '10.1000/journal' })];
      expect(grouping(known, listings)).toEqual(['arxiv-2', 'journal']);
      expect(grouping(known, [...listings].reverse())).toEqual(['arxiv-2', 'journal']);
    });
  });
});
