import { renderConfirmationEmail, renderDigestEmail } from './digest-email';
import { DigestPaperView, DigestView } from './digest-view';
import { renderSlackMessages } from './slack-message';

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
  viewUrl: 'https://papers.example.org/digests/d1?token=v',
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
      expect(part).toMatch(/3 more matching papers/);
      expect(part).toContain('https://papers.example.org/digests/d1?token=v');
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

describe('renderSlackMessages', () => {
  it('should split a large digest into messages within Block Kit limits, the header first and the links last', () => {
    const messages = renderSlackMessages(view(Array.from({ length: 40 }, (_, i) => paper(i + 1)), { omittedCount: 5 }));
    expect(messages.map((m) => m.text)).toEqual([
      'Paperboy: 40 new papers for 2026-11-28 (1/3)',
      'Paperboy: 40 new papers for 2026-11-28 (2/3)',
      'Paperboy: 40 new papers for 2026-11-28 (3/3)',
    ]);
    expect(messages.map((m) => m.blocks.filter((b) => b.type === 'section').length)).toEqual([15, 15, 10]);
    expect(messages[0].blocks[0]).toMatchObject({ type: 'header' });
    expect(messages[1].blocks.some((b) => b.type === 'header')).toBe(false);
    for (const message of messages) {
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(JSON.stringify(message).length).toBeLessThan(13_000);
      for (const block of message.blocks) {
        expect(JSON.stringify(block).length).toBeLessThan(3500);
      }
    }
    const footer = JSON.stringify(messages[2].blocks.at(-1));
    expect(footer).toContain('And 5 more in <https://papers.example.org/digests/d1?token=v|the web view>');
    expect(footer).toContain('<https://papers.example.org/unsubscribe?token=abc|Unsubscribe>');
  });

  it('should send a small digest as one message', () => {
    const messages = renderSlackMessages(view([paper(1)]));
    expect(messages).toHaveLength(1);
    expect(messages[0].text).toBe('Paperboy: 1 new paper for 2026-11-28');
  });

  it('should escape Slack control characters in titles and link targets', () => {
    const [message] = renderSlackMessages(view([paper(1, { title: 'A <b> & <!channel>', url: 'https://x.org/a|b>c' })]));
    const section = JSON.stringify(message.blocks[1]);
    expect(section).toContain('A &lt;b&gt; &amp; &lt;!channel&gt;');
    expect(section).not.toContain('<!channel>');
    expect(section).toContain('<https://x.org/a%7Cb%3Ec|');
  });
});
