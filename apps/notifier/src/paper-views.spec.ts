import { DigestPaperSource, digestPaperView } from '@libs/domain';
import { PaperViews } from './paper-views';

const paper = (title: string): DigestPaperSource => ({
  title,
  url: null,
  arxivId: '2411.00001',
  authors: ['Ada Lovelace'],
  upvotes: 3,
  abstract: 'We study agents that quantize themselves.',
  summary: null,
  codeUrl: null,
  topics: [
    { topic: 'agents', evidence: ['agent'] },
    { topic: 'efficiency', evidence: ['quantize'] },
  ],
});

describe('PaperViews', () => {
  it('should hand out one view per paper and interests, equal to the view made afresh', () => {
    const views = new PaperViews();
    const source = paper('Agents');
    const agents = { topics: ['agents'], keywords: [] };
    const first = views.viewOf(source, agents);
    expect(first).toEqual(digestPaperView(source, agents));
    expect(views.viewOf(source, { topics: ['agents'], keywords: [] })).toBe(first);
    const quantization = views.viewOf(source, { topics: ['agents'], keywords: ['agents'] });
    expect(quantization).not.toBe(first);
    expect(quantization.reasons).toContain('keyword "agents"');
    expect(views.viewOf(source, { topics: ['efficiency'], keywords: [] }).reasons).toEqual(['Efficient ML (quantize)']);
  });

  it('should make a new view for a paper read afresh (another object), not serve the old one', () => {
    const views = new PaperViews();
    const interests = { topics: [], keywords: [] };
    const before = views.viewOf(paper('Old title'), interests);
    const after = views.viewOf(paper('New title'), interests);
    expect(before.title).toBe('Old title');
    expect(after.title).toBe('New title');
  });

  it('should keep a bounded number of interests per paper, the most recent', () => {
    const views = new PaperViews();
    const source = paper('Agents');
    const first = views.viewOf(source, { topics: [], keywords: ['k0'] });
    for (let i = 1; i <= 40; i += 1) {
      views.viewOf(source, { topics: [], keywords: [`k${i}`] });
    }
    expect(views.viewOf(source, { topics: [], keywords: ['k40'] })).toBe(
      views.viewOf(source, { topics: [], keywords: ['k40'] }),
    );
    expect(views.viewOf(source, { topics: [], keywords: ['k0'] })).not.toBe(first);
  });
});
