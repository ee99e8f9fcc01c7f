import { renderConfirmationEmail, renderDigestEmail } from './digest-email';
import { DigestPaperView, DigestView } from './digest-view';
import { renderSlackMessage } from './slack-message';

const paper = (n: number, overrides: Partial<DigestPaperView> = {}): DigestPaperView => ({
  title: `Paper ${n}`,
  url: `https://huggingface.co/papers/2411.${String(n).padStart(5, '0')}`,
  authors: ['Ada Lovelace', 'Alan Turing'],
  upvotes: 100 - n,
  abstract: 'An abstract. '.repeat(10),
  summary: null,
  codeUrl: null,
  reasons: ['Large language models (title: "language model")'],
  ...overrides,
});

const view = (papers: DigestPaperView[], overrides: Partial<DigestView> = {}): DigestView => ({
  periodKey: '2026-11-28',
  frequency: 'daily',
  papers,
  omittedCount: 0,
  unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=abc',
  feedUrl: 'https://papers.example.org/feeds/papers.rss',
  ...overrides,
});

describe('renderDigestEmail', () => {
  it('should list every paper in both parts with its reasons, links and the unsubscribe link', () => {
    const rendered = renderDigestEmail(view([paper(1, { codeUrl: 'https://github.com/a/b' }), paper(2)], { omittedCount: 3 }));
    expect(rendered.subject).toBe('Paperboy: 2 new papers for 2026-11-28');
    for (const part of [rendered.text, rendered.html]) {
      expect(part).toContain('Paper 1');
      expect(part).toContain('Paper 2');
      expect(part).toContain('https://github.com/a/b');
      expect(part).toContain('3 more matching papers were left out');
      expect(part).toContain('https://papers.example.org/unsubscribe?token=abc');
    }
    expect(rendered.text).toContain('1. Paper 1\n   Ada Lovelace, Alan Turing · 99 upvotes');
    expect(rendered.text).toContain('Why: Large language models (title: "language model")');
  });

  it('should escape markup from paper metadata in the HTML part', () => {
    const hostile = paper(1, { title: '<script>alert(1)</script> & "quotes"', url: 'https://x.org/?a="><b>' });
    const { html, text } = renderDigestEmail(view([hostile]));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('href="https://x.org/?a=&quot;&gt;&lt;b&gt;"');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('should name the week for weekly digests and shorten long abstracts on a word boundary', () => {
    const long = paper(1, { abstract: `${'word '.repeat(300)}end` });
    const { subject, text } = renderDigestEmail(view([long], { frequency: 'weekly', periodKey: '2026-W48' }));
    expect(subject).toBe('Paperboy: 1 new paper for the week 2026-W48');
    const abstractLine = text.split('\n').find((line) => line.includes('word word')) as string;
    expect(abstractLine.trim().length).toBeLessThanOrEqual(601);
    expect(abstractLine.trim().endsWith('word…')).toBe(true);
  });
});

describe('renderConfirmationEmail', () => {
  it('should carry the confirmation link and say what was asked for', () => {
    const { subject, text, html } = renderConfirmationEmail('https://p.example/subscriptions/confirm?token=t', ['llm', 'agents']);
    expect(subject).toBe('Paperboy: confirm your subscription');
    expect(text).toContain('papers on llm, agents');
    expect(text).toContain('https://p.example/subscriptions/confirm?token=t');
    expect(html).toContain('href="https://p.example/subscriptions/confirm?token=t"');
  });
});

describe('renderSlackMessage', () => {
  it('should stay within Block Kit limits for a large digest and point to the feed for the rest', () => {
    const message = renderSlackMessage(view(Array.from({ length: 40 }, (_, i) => paper(i + 1)), { omittedCount: 5 }));
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text).toBe('Paperboy: 40 new papers for 2026-11-28');
    const sections = message.blocks.filter((block) => block.type === 'section');
    expect(sections).toHaveLength(15);
    for (const block of message.blocks) {
      const text = JSON.stringify(block);
      expect(text.length).toBeLessThan(3500);
    }
    expect(JSON.stringify(message.blocks.at(-1))).toContain('30 more matching papers in <https://papers.example.org/feeds/papers.rss|your feed>');
    expect(JSON.stringify(message).length).toBeLessThan(13_000);
  });

  it('should escape Slack control characters in titles', () => {
    const message = renderSlackMessage(view([paper(1, { title: 'A <b> & <!channel>' })]));
    const section = JSON.stringify(message.blocks[1]);
    expect(section).toContain('A &lt;b&gt; &amp; &lt;!channel&gt;');
    expect(section).not.toContain('<!channel>');
  });
});
