import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHfDailyPapers } from './hf-daily-papers.parser';

const fixture = readFileSync(join(__dirname, '../../../../../test/fixtures/hf/daily-papers-2024-10-25.json'), 'utf8');

describe('parseHfDailyPapers', () => {
  it('should read every paper of a real response with the fields from the right object', () => {
    const { listings, problems } = parseHfDailyPapers(fixture);
    expect(problems).toEqual([]);
    expect(listings).toHaveLength(29);
    const first = listings[0];
    expect(first.externalId).toBe('2410.17243');
    expect(first.arxivId).toBe('2410.17243');
    // The outer title is the cleaned one; the paper's keeps arXiv's hard wraps.
    expect(first.title).toBe('Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss');
    expect(first.authors.slice(0, 2)).toEqual(['Zesen Cheng', 'Hang Zhang']);
    expect(first.upvotes).toBe(64);
    expect(first.abstract).toMatch(/^Contrastive loss is a powerful approach/);
    expect(first.abstract).not.toContain('\n');
    // Listed = put on Daily Papers (outer publishedAt), not the arXiv date.
    expect(first.listedAt.toISOString()).toBe('2024-10-25T00:57:09.392Z');
    expect(first.publishedAt?.toISOString()).toBe('2024-10-22T17:59:30.000Z');
    expect(first.url).toBe('https://huggingface.co/papers/2410.17243');
  });

  it('should keep AI keywords, summary, code link and comments when present', () => {
    const body = JSON.stringify([
      {
        paper: {
          id: '2501.00001',
          title: 'T',
          summary: 'An abstract',
          authors: [{ name: 'A B' }, { name: 'Hidden', hidden: true }],
          upvotes: 3,
          ai_keywords: ['diffusion models', ''],
          ai_summary: 'One line.',
          githubRepo: 'https://github.com/x/y',
        },
        publishedAt: '2025-01-02T03:04:05Z',
        title: 'T',
        numComments: 2,
      },
    ]);
    const [listing] = parseHfDailyPapers(body).listings;
    expect(listing.keywords).toEqual(['diffusion models']);
    expect(listing.summary).toBe('One line.');
    expect(listing.codeUrl).toBe('https://github.com/x/y');
    expect(listing.comments).toBe(2);
    expect(listing.authors).toEqual(['A B']);
  });

  it('should keep only http(s) code and project links', () => {
    const entry = (id: string, githubRepo: string, projectPage: string) => ({
      paper: { id, title: 'T', summary: 'An abstract', authors: [], upvotes: 1, githubRepo, projectPage },
      publishedAt: '2025-01-02T03:04:05Z',
      title: 'T',
    });
    const body = JSON.stringify([
      entry('2501.00001', 'javascript:alert(document.cookie)', 'data:text/html;base64,PHNjcmlwdD4='),
      entry('2501.00002', 'vbscript:msgbox(1)', ' javascript:alert(1)'),
      entry('2501.00003', 'https://github.com/x/y', 'http://example.org/project'),
    ]);
    const links = parseHfDailyPapers(body).listings.map(({ codeUrl, projectUrl }) => ({ codeUrl, projectUrl }));
    expect(links).toEqual([
      { codeUrl: null, projectUrl: null },
      { codeUrl: null, projectUrl: null },
      { codeUrl: 'https://github.com/x/y', projectUrl: 'http://example.org/project' },
    ]);
  });

  it('should skip broken entries with a reason and keep the rest of the batch', () => {
    const good = { paper: { id: '2501.00002', title: 'Good', summary: 'S' }, publishedAt: '2025-01-02T00:00:00Z' };
    const body = JSON.stringify([
      null,
      { paper: { title: 'no id' }, publishedAt: '2025-01-02T00:00:00Z' },
      { paper: { id: '2501.00003', summary: 'S' }, publishedAt: '2025-01-02T00:00:00Z' },
      // The arXiv date (paper.publishedAt) is not a stand-in for the Daily Papers date.
      { paper: { id: '2501.00004', title: 'Bad date', publishedAt: '2025-01-01T00:00:00Z' }, publishedAt: 'yesterday' },
      good,
      good,
    ]);
    const { listings, problems } = parseHfDailyPapers(body);
    expect(listings.map((l) => l.externalId)).toEqual(['2501.00002']);
    expect(problems).toEqual([
      'entry 0: no "paper" object',
      'entry 1: paper has no id',
      'entry 2: paper 2501.00003 has no title',
      'entry 3: paper 2501.00004 has no valid publishedAt date',
      'entry 5: paper 2501.00002 listed twice; kept the first',
    ]);
  });

  it('should name what is wrong with a body that is not a list of papers', () => {
    expect(() => parseHfDailyPapers('<html><body>Service unavailable</body></html>')).toThrow(
      /not JSON .* starts with "<html><body>Service unavailable/,
    );
    expect(() => parseHfDailyPapers('{"error":"Invalid date"}')).toThrow('not an array of papers (got an object)');
    expect(() => parseHfDailyPapers('[{"paper":')).toThrow(/not JSON/);
  });
});
