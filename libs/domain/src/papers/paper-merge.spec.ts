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

  it('should fill keywords, summary and links from whichever listing has them, keeping what the paper has', () => {
    const current = metadata({ keywords: ['diffusion'], codeUrl: 'https://github.com/a/b' });
    const merged = mergePaperMetadata(
      current,
      metadata({
        keywords: ['other'],
        summary: 'AI summary',
        codeUrl: 'https://github.com/c/d',
        projectUrl: 'https://p.example',
        url: 'https://hf.co/x',
      }),
    );
    expect(merged).toMatchObject({
      keywords: ['diffusion'],
      summary: 'AI summary',
      codeUrl: 'https://github.com/a/b',
      projectUrl: 'https://p.example',
      url: 'https://hf.co/x',
    });
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
