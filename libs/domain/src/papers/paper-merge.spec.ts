import { mergePaperMetadata, newPaperMetadata, PaperMetadata, titleDefects } from './paper-merge';

const metadata = (overrides: Partial<PaperMetadata> = {}): PaperMetadata => ({
  title: 'Scaling Laws for Data Filtering',
  abstract: 'We study data filtering.',
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

describe('newPaperMetadata', () => {
  it('should clean hard wraps, blanks and duplicates from a first listing', () => {
    const paper = newPaperMetadata(
      metadata({
        title: 'Scaling for\n  Contrastive Loss',
        abstract: '  We scale\n contrastive   losses. ',
        authors: ['Alice  Smith', ' ', 'Alice Smith'],
        categories: ['cs.LG', 'cs.LG ', ''],
        summary: '  ',
        codeUrl: ' https://github.com/x/y ',
        upvotes: -3,
      }),
    );
    expect(paper).toMatchObject({
      title: 'Scaling for Contrastive Loss',
      abstract: 'We scale contrastive losses.',
      authors: ['Alice Smith'],
      categories: ['cs.LG'],
      summary: null,
      codeUrl: 'https://github.com/x/y',
      upvotes: 0,
    });
  });
});

describe('mergePaperMetadata', () => {
  it('should keep the longer abstract, union the categories and take the most upvotes', () => {
    const current = metadata({ abstract: 'Short.', categories: ['cs.LG'], upvotes: 12 });
    const merged = mergePaperMetadata(
      current,
      metadata({ abstract: 'A much longer abstract.', categories: ['cs.CL', 'cs.LG'], upvotes: 7 }),
    );
    expect(merged).toMatchObject({ abstract: 'A much longer abstract.', categories: ['cs.LG', 'cs.CL'], upvotes: 12 });
    expect(mergePaperMetadata(merged, metadata({ abstract: 'Short again.', upvotes: 30 }))).toMatchObject({
      abstract: 'A much longer abstract.',
      upvotes: 30,
    });
  });

  it('should prefer a title without hard wraps, tags, ellipses, capitals or markup, and keep its own on a tie', () => {
    const clean = metadata({ title: 'Scaling for Contrastive Loss' });
    expect(mergePaperMetadata(clean, metadata({ title: 'Scaling for\n  Contrastive Loss' })).title).toBe(
      'Scaling for Contrastive Loss',
    );
    expect(mergePaperMetadata(metadata({ title: '[PREPRINT] Scaling for Contrastive Loss' }), clean).title).toBe(
      'Scaling for Contrastive Loss',
    );
    expect(mergePaperMetadata(metadata({ title: 'Scaling for Contrastive…' }), clean).title).toBe(
      'Scaling for Contrastive Loss',
    );
    expect(mergePaperMetadata(metadata({ title: 'SCALING FOR CONTRASTIVE LOSS' }), clean).title).toBe(
      'Scaling for Contrastive Loss',
    );
    expect(mergePaperMetadata(metadata({ title: '$\\alpha$-Scaling' }), metadata({ title: 'α-Scaling' })).title).toBe(
      'α-Scaling',
    );
    expect(mergePaperMetadata(clean, metadata({ title: 'Scaling For Contrastive Loss' })).title).toBe(
      'Scaling for Contrastive Loss',
    );
  });

  it('should take the longer author list, then the fuller names', () => {
    const initials = metadata({ authors: ['A. Smith', 'B. Jones'] });
    expect(mergePaperMetadata(initials, metadata({ authors: ['Alice Smith', 'Bob Jones'] })).authors).toEqual([
      'Alice Smith',
      'Bob Jones',
    ]);
    expect(mergePaperMetadata(initials, metadata({ authors: ['Alice Smith'] })).authors).toEqual([
      'A. Smith',
      'B. Jones',
    ]);
    expect(mergePaperMetadata(initials, metadata({ authors: ['A. Smith', 'B. Jones', 'C. Wu'] })).authors).toHaveLength(
      3,
    );
  });

  it("should take keywords, summary and code and project links from a listing that has them, else keep the paper's", () => {
    // Hugging Face adds and revises them after a paper's first listing; a later fetch brings the current ones.
    const current = metadata({
      keywords: ['diffusion'],
      codeUrl: 'https://github.com/a/b',
      url: 'https://arxiv.org/abs/x',
    });
    const refreshed = mergePaperMetadata(
      current,
      metadata({
        keywords: ['video diffusion'],
        summary: 'AI summary',
        codeUrl: 'https://github.com/c/d',
        projectUrl: 'https://p.example',
        url: 'https://hf.co/x',
      }),
    );
    expect(refreshed).toMatchObject({
      keywords: ['video diffusion'],
      summary: 'AI summary',
      codeUrl: 'https://github.com/c/d',
      projectUrl: 'https://p.example',
      url: 'https://arxiv.org/abs/x',
    });
    // A source without them (an arXiv feed) leaves them as they are.
    expect(mergePaperMetadata(refreshed, metadata({}))).toMatchObject({
      keywords: ['video diffusion'],
      summary: 'AI summary',
      codeUrl: 'https://github.com/c/d',
      projectUrl: 'https://p.example',
    });
  });

  it('should let a v2 revise a paper first listed without a version', () => {
    const fromHuggingFace = metadata({
      version: null,
      title: 'A first title',
      abstract: 'The first, long and wordy abstract.',
    });
    const v2 = metadata({ version: 2, title: 'A revised title', abstract: 'A tighter v2.' });
    expect(mergePaperMetadata(fromHuggingFace, v2)).toMatchObject({
      version: 2,
      title: 'A revised title',
      abstract: 'A tighter v2.',
    });
  });

  it('should not let a listing without a version replace the text of a paper that knows its version', () => {
    const v3 = metadata({ version: 3, title: 'The v3 title', abstract: 'The v3 abstract, shortened.' });
    const unversioned = metadata({
      version: null,
      title: 'The v1 title',
      abstract: 'The v1 abstract, which the authors have since rewritten; it is longer and outdated.',
      authors: ['Alice Smith', 'Bob Jones', 'Carol Wu', 'Dan Lee'],
      upvotes: 30,
    });
    expect(mergePaperMetadata(v3, unversioned)).toMatchObject({
      version: 3,
      title: 'The v3 title',
      abstract: 'The v3 abstract, shortened.',
      authors: v3.authors,
      upvotes: 30,
    });
    // It still fills what the paper lacks.
    expect(mergePaperMetadata({ ...v3, abstract: '' }, unversioned).abstract).toBe(unversioned.abstract);
  });

  it('should not take a longer abstract that is cut off or too long to be one over a complete one', () => {
    const complete = metadata({ abstract: 'We study sparse attention and show it matches dense attention.' });
    const cutOff = metadata({
      abstract: 'We study sparse attention for long-context models and show that it matches…',
    });
    const page = metadata({ abstract: 'word '.repeat(2000) });
    expect(mergePaperMetadata(complete, cutOff).abstract).toBe(complete.abstract);
    expect(mergePaperMetadata(complete, page).abstract).toBe(complete.abstract);
    // Either of them is better than nothing, and a complete one replaces a cut-off one.
    expect(mergePaperMetadata(metadata({ abstract: '' }), cutOff).abstract).toBe(cutOff.abstract);
    expect(mergePaperMetadata(cutOff, complete).abstract).toBe(complete.abstract);
  });

  it('should raise the version, keep the earliest dates and take a revision’s own text', () => {
    const v1 = metadata({
      version: 1,
      abstract: 'The first, long and wordy abstract of v1.',
      listedAt: new Date('2026-11-01T00:00:00Z'),
      publishedAt: new Date('2026-10-31T00:00:00Z'),
    });
    const v3 = metadata({
      version: 3,
      title: 'Scaling Laws for Data Filtering Revisited',
      abstract: 'A tighter abstract.',
      authors: ['Alice Smith', 'Bob Jones', 'Carol Wu'],
      listedAt: new Date('2026-11-20T00:00:00Z'),
      publishedAt: new Date('2026-11-19T00:00:00Z'),
    });
    const merged = mergePaperMetadata(v1, v3);
    expect(merged).toMatchObject({
      version: 3,
      title: 'Scaling Laws for Data Filtering Revisited',
      abstract: 'A tighter abstract.',
      listedAt: new Date('2026-11-01T00:00:00Z'),
      publishedAt: new Date('2026-10-31T00:00:00Z'),
    });
    // An older version arriving late changes neither the version nor the text.
    expect(mergePaperMetadata(merged, v1)).toMatchObject({ version: 3, abstract: 'A tighter abstract.' });
  });

  it('should be the same whichever of two listings came first, where one is better', () => {
    const hf = metadata({
      title: 'Scaling for Contrastive Loss',
      abstract: 'Long abstract from Hugging Face.',
      upvotes: 40,
      keywords: ['contrastive'],
    });
    const feed = metadata({
      title: 'Scaling for\nContrastive Loss',
      abstract: 'Short.',
      categories: ['cs.LG'],
      version: 2,
    });
    const one = mergePaperMetadata(newPaperMetadata(hf), feed);
    const other = mergePaperMetadata(newPaperMetadata(feed), hf);
    expect(one).toEqual(other);
  });
});

describe('titleDefects', () => {
  it('should count nothing wrong in a clean title and something in a broken one', () => {
    expect(titleDefects('Attention Is All You Need')).toBe(0);
    expect(titleDefects('Attention Is All\n You Need')).toBe(1);
    expect(titleDefects('   ')).toBe(100);
  });
});
