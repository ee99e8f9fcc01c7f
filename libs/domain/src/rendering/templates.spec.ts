import { EmailBodyPieces, EmailFrame, renderDigestEmail, renderDigestEmailPieces } from './digest-email';
import { currentPeriod } from '../digests/schedule';
import {
  buildDigestView,
  DigestPaperSource,
  DigestPaperView,
  digestPaperView,
  DigestView,
  LEFT_OUT_LISTED,
} from './digest-view';
import { renderSlackMessages } from './slack-message';
import { paperVoteLinks } from '../tokens/vote-links';

/** Vote links as a digest carries them: one pair a paper, signed for the subscriber. */
const votesFor = (count: number, subscriptionId = '5b0c9a52-7f7e-4c8e-9d55-0d2f6f1c2a10') =>
  Array.from({ length: count }, (_, i) =>
    paperVoteLinks(
      'https://papers.example.org',
      'a-test-secret-of-some-length',
      { id: subscriptionId, linkVersion: 0 },
      `0f6a9c1e-2b3d-4e5f-8a9b-${String(i).padStart(12, '0')}`,
      i === 0 ? 'explore' : 'digest',
      new Date('2026-11-28T08:00:00Z'),
    ),
  );

const paper = (n: number, overrides: Partial<DigestPaperView> = {}): DigestPaperView => ({
  title: `Paper ${n}`,
  url: `https://huggingface.co/papers/2411.${String(n).padStart(5, '0')}`,
  arxivUrl: `https://arxiv.org/abs/2411.${String(n).padStart(5, '0')}`,
  huggingFaceUrl: `https://huggingface.co/papers/2411.${String(n).padStart(5, '0')}`,
  authors: ['Ada Lovelace', 'Alan Turing'],
  upvotes: 100 - n,
  abstract: 'An abstract. '.repeat(10),
  summary: null,
  codeUrl: null,
  tags: ['Large language models', 'Agents'],
  reasons: ['Large language models (title: "language model")'],
  ...overrides,
});

const view = (papers: DigestPaperView[], overrides: Partial<DigestView> = {}): DigestView => ({
  periodKey: '2026-11-28',
  frequency: 'daily',
  papers,
  omittedCount: 0,
  leftOut: [],
  unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=abc',
  feedUrl: 'https://papers.example.org/feeds/papers.rss',
  viewUrl: 'https://papers.example.org/digests/d1?token=v',
  manageUrl: 'https://papers.example.org/manage?id=s1&token=m',
  ...overrides,
});

/** The HTML part as a browser reads it: entities decoded, markup and Outlook conditionals gone. */
const visibleText = (html: string): string =>
  html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(style|title)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&middot;/g, '·')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
const hrefs = (html: string): string[] =>
  [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));

describe('renderDigestEmail', () => {
  it('should show every paper in both parts with authors, upvotes, tags, reasons, abstract and links', () => {
    const rendered = renderDigestEmail(
      view([paper(1, { codeUrl: 'https://github.com/a/b' }), paper(2)], { omittedCount: 3 }),
    );
    expect(rendered.subject).toBe('Paperboy: 2 new papers for Saturday 28 November 2026');
    const html = visibleText(rendered.html);
    for (const part of [rendered.text, html]) {
      expect(part).toContain('1. Paper 1');
      expect(part).toContain('2. Paper 2');
      expect(part).toContain('Ada Lovelace, Alan Turing ·');
      expect(part).toContain('99 upvotes');
      expect(part).toContain('Large language models');
      expect(part).toContain('Why: Large language models (title: "language model")');
      expect(part).toContain('An abstract. An abstract.');
      expect(part).toMatch(/And 3 more matching papers/);
    }
    for (const url of [
      'https://github.com/a/b',
      'https://arxiv.org/abs/2411.00001',
      'https://huggingface.co/papers/2411.00002',
      'https://papers.example.org/digests/d1?token=v',
      'https://papers.example.org/unsubscribe?token=abc',
      'https://papers.example.org/manage?id=s1&token=m',
      'https://papers.example.org/feeds/papers.rss',
    ]) {
      expect(rendered.text).toContain(url);
      expect(hrefs(rendered.html)).toContain(url);
    }
    expect(rendered.text).toContain(
      '1. Paper 1\n   Ada Lovelace, Alan Turing · 99 upvotes\n   Tags: Large language models, Agents\n',
    );
    expect(rendered.text).toContain(
      'And 3 more matching papers, left out by your cap.\nAll of them: https://papers.example.org/digests/d1?token=v',
    );
    // The web view lists the first LEFT_OUT_LISTED left out: the link says so when more were.
    expect(renderDigestEmail(view([paper(1)], { omittedCount: LEFT_OUT_LISTED + 1 })).text).toContain(
      `And ${LEFT_OUT_LISTED + 1} more matching papers, left out by your cap.\nThe first ${LEFT_OUT_LISTED} of them: https://papers.example.org/digests/d1?token=v`,
    );
    expect(rendered.html).toContain('<title>Paperboy: 2 new papers for Saturday 28 November 2026</title>');
    // The MJML layout: a responsive single column that Outlook gets as a fixed-width table.
    expect(rendered.html).toContain('<!--[if mso | IE]>');
    expect(rendered.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('should prefer the Hugging Face summary to the abstract, and leave out what a paper lacks', () => {
    const { text, html } = renderDigestEmail(
      view([paper(1, { summary: 'A short summary.', tags: [], reasons: [], arxivUrl: null, huggingFaceUrl: null })]),
    );
    expect(text).toContain('   A short summary.\n');
    expect(text).not.toContain('An abstract.');
    expect(text).not.toContain('Tags:');
    expect(text).not.toContain('Why:');
    expect(text).not.toContain('arXiv:');
    expect(text).not.toContain('more matching');
    expect(visibleText(html)).toContain('A short summary.');
    expect(html).not.toContain('Why:');
  });

  it('should escape markup from paper metadata in the HTML part', () => {
    const hostile = paper(1, { title: '<script>alert(1)</script> & "quotes"', url: 'https://x.org/?a="><b>' });
    const { html, text } = renderDigestEmail(view([hostile]));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('href="https://x.org/?a&#x3D;%22%3E%3Cb%3E"');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('should link only to http(s) URLs: a javascript:, data: or vbscript: link from a source is left out', () => {
    const hostile = paper(1, {
      url: 'javascript:alert(1)',
      arxivUrl: 'data:text/html,<script>alert(1)</script>',
      huggingFaceUrl: 'https://huggingface.co/papers/2411.00001',
      codeUrl: ' vbscript:msgbox(1)',
    });
    const { html, text } = renderDigestEmail(view([hostile]));
    expect(hrefs(html).filter((href) => !href.startsWith('https://'))).toEqual([]);
    expect(`${html}${text}`).not.toMatch(/javascript:|data:text|vbscript:/i);
    expect(visibleText(html)).toContain('1. Paper 1');
    expect(hrefs(html)).toContain('https://huggingface.co/papers/2411.00001');
  });

  it('should name the week for weekly digests and shorten long abstracts on a word boundary', () => {
    const long = paper(1, { abstract: `${'word '.repeat(300)}end` });
    const { subject, text } = renderDigestEmail(view([long], { frequency: 'weekly', periodKey: '2026-W48' }));
    expect(subject).toBe('Paperboy: 1 new paper for the week of Monday 23 November 2026');
    const abstractLine = text.split('\n').find((line) => line.includes('word word')) as string;
    expect(abstractLine.trim().length).toBeLessThanOrEqual(601);
    expect(abstractLine.trim().endsWith('word…')).toBe(true);
  });
});

describe('dates in digests', () => {
  const source = (title: string, listedAt: string): DigestPaperSource => ({
    title,
    url: null,
    arxivId: '2412.00001',
    authors: [],
    upvotes: 0,
    abstract: 'An abstract.',
    summary: null,
    codeUrl: null,
    topics: [],
    listedAt: new Date(listedAt),
  });
  const links = {
    unsubscribeUrl: 'https://p.example/u',
    feedUrl: 'https://p.example/f',
    viewUrl: 'https://p.example/v',
  };

  it("should name the period in words, in the subscriber's zone, and the site's days the papers come from", () => {
    // The same instant is Tuesday morning in Tokyo and still Monday evening in New York.
    const at = new Date('2026-12-08T01:30:00Z');
    const papers = [source('A', '2026-12-04T09:00:00Z'), source('B', '2026-12-07T23:00:00Z')];
    const subjects = ['Asia/Tokyo', 'America/New_York'].map((timezone) => {
      const period = currentPeriod({ frequency: 'daily', timezone, sendHour: 8, weekday: 1 }, at);
      const digest = buildDigestView({
        digest: { periodKey: period?.key ?? '', omittedCount: 0 },
        subscription: { topics: [], keywords: [], frequency: 'daily' },
        papers,
        links,
      });
      const email = renderDigestEmail(digest);
      for (const part of [email.text, visibleText(email.html)]) {
        expect(part).toContain('Papers listed Friday 4 to Monday 7 December 2026');
      }
      return email.subject;
    });
    expect(subjects).toEqual([
      'Paperboy: 2 new papers for Tuesday 8 December 2026',
      'Paperboy: 2 new papers for Monday 7 December 2026',
    ]);
  });

  it('should name a week by its Monday, and say nothing of listing days it does not know', () => {
    const digest = buildDigestView({
      digest: { periodKey: '2026-W50@2026-12-09T08:00:00.000Z', omittedCount: 0 },
      subscription: { topics: [], keywords: [], frequency: 'weekly' },
      papers: [{ ...source('A', '2026-12-08T00:00:00Z'), listedAt: undefined }],
      links,
    });
    const email = renderDigestEmail(digest);
    expect(email.subject).toBe('Paperboy: 1 new paper for the week of Monday 7 December 2026');
    expect(`${email.text}${email.html}`).not.toContain('Papers listed');
    expect(renderSlackMessages(digest)[0].text).toBe('Paperboy: 1 new paper for the week of Monday 7 December 2026');
  });
});

describe('LaTeX in digests', () => {
  it('should show titles, abstracts and authors readable in the email and in Slack', () => {
    const digest = buildDigestView({
      digest: { periodKey: '2026-11-28', omittedCount: 0 },
      subscription: { topics: [], keywords: [], frequency: 'daily' },
      papers: [
        {
          title: 'Sorting in $\\mathcal{O}(n \\log n)$ with \\model, fast',
          url: 'https://arxiv.org/abs/2411.00001',
          arxivId: '2411.00001',
          authors: ['Kurt G\\"odel'],
          upvotes: 1,
          abstract: 'We show $\\alpha \\leq 1$ for \\textbf{every} $x_i^2$.',
          summary: null,
          codeUrl: null,
          topics: [],
        },
      ],
      links: { unsubscribeUrl: 'https://p.example/u', feedUrl: 'https://p.example/f', viewUrl: 'https://p.example/v' },
    });
    const { html, text } = renderDigestEmail(digest);
    for (const part of [text, visibleText(html)]) {
      expect(part).toContain('1. Sorting in 𝒪(n log n) with, fast');
      expect(part).toContain('Kurt Gödel');
      expect(part).toContain('We show α ≤ 1 for every xᵢ².');
      expect(part).not.toMatch(/[\\$]/);
    }
    const slack = JSON.stringify(renderSlackMessages(digest));
    expect(slack).toContain('Sorting in 𝒪(n log n) with, fast');
    expect(slack).not.toContain('mathcal');
  });
});

const filled = (frame: EmailFrame): string => {
  const { texts, holes } = frame.render();
  return texts.map((text, i) => (i < holes.length ? text + frame.fills[holes[i]] : text)).join('');
};
const joined = (body: EmailBodyPieces): string => [body.head, ...body.papers, body.tail].map(filled).join('');

describe('renderDigestEmailPieces', () => {
  it('should join into exactly the email rendered whole', () => {
    const papers = [
      paper(1),
      paper(2, { title: 'Tom & Jerry <b>', codeUrl: 'https://github.com/a/b?x=1&y=2' }),
      paper(3),
    ];
    const views = [
      view(papers, { omittedCount: 4 }),
      view(papers, { unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=a&b="c"', manageUrl: undefined }),
      view([paper(4, { tags: [], reasons: [] })], { frequency: 'weekly', periodKey: '2026-W48' }),
      view([]),
      view(papers, { votes: votesFor(3) }),
      view(papers, { votes: [null, ...votesFor(2)] }),
    ];
    for (const digest of views) {
      const pieces = renderDigestEmailPieces(digest);
      const email = renderDigestEmail(digest);
      expect(pieces.subject).toBe(email.subject);
      expect(joined(pieces.html)).toBe(email.html);
      expect(joined(pieces.text)).toBe(email.text);
    }
  });

  it('should give a paper the same block in every digest, whatever why it matched, filled with its own why', () => {
    const first = renderDigestEmailPieces(view([paper(1), paper(2)], { viewUrl: 'https://a/1' })).html.papers;
    const second = renderDigestEmailPieces(view([paper(2), paper(1)], { viewUrl: 'https://a/2' })).html.papers;
    expect(second[1].key).toBe(first[0].key);
    expect(second[1].render()).toEqual(first[0].render());
    expect(second[1].fills[0]).toBe('2');
    const otherReason = renderDigestEmailPieces(view([paper(1, { reasons: ['Agents & <b>"agent"</b>'] })])).html.papers;
    expect(otherReason[0].key).toBe(first[0].key);
    expect(otherReason[0].fills[7]).toBe('Agents &amp; &lt;b&gt;&quot;agent&quot;&lt;/b&gt;');
    expect(otherReason[0].fills[7]).not.toBe(first[0].fills[7]);
    // A block that says nothing of why is another frame: it has no "Why:" line at all.
    const noReason = renderDigestEmailPieces(view([paper(1, { reasons: [] })])).html.papers;
    expect(noReason[0].key).not.toBe(first[0].key);
    expect(noReason[0].render().texts.join('')).not.toContain('Why:');
  });

  it('should leave out the control characters a source sent, whole or in pieces', () => {
    const hostile = paper(1, {
      title: 'Title\u0001with\u0002holes\u0004',
      abstract: 'An abstract\u0003 with\u0000 controls\u0005 and\ta tab.',
      reasons: ['Agents (\u0002)'],
    });
    const digest = view([hostile, paper(2)]);
    const email = renderDigestEmail(digest);
    const pieces = renderDigestEmailPieces(digest);
    expect(joined(pieces.html)).toBe(email.html);
    expect(joined(pieces.text)).toBe(email.text);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(`${email.html}${email.text}`).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(email.text).toContain('Titlewithholes');
  });

  it("should share the text around the papers between subscribers, filled with each one's own links", () => {
    const papers = [paper(1), paper(2)];
    const alice = renderDigestEmailPieces(view(papers, { unsubscribeUrl: 'https://a/u?t=alice&x=1' })).html;
    const bob = renderDigestEmailPieces(view(papers, { unsubscribeUrl: 'https://a/u?t=bob&x=1' })).html;
    expect(bob.tail.key).toBe(alice.tail.key);
    expect(bob.tail.render()).toEqual(alice.tail.render());
    expect(filled(bob.tail)).toContain('https://a/u?t&#x3D;bob&amp;x&#x3D;1');
    expect(filled(bob.tail)).not.toContain('alice');
    const fewer = renderDigestEmailPieces(view([paper(1)], { unsubscribeUrl: 'https://a/u?t=bob&x=1' })).html;
    expect(fewer.head.key).not.toBe(bob.head.key);
  });
});

describe('vote links in the digest email', () => {
  it("should put each paper's own up and down links in both parts, after its other links", () => {
    const votes = votesFor(2);
    const email = renderDigestEmail(view([paper(1), paper(2)], { votes }));
    for (const links of votes) {
      expect(hrefs(email.html)).toEqual(expect.arrayContaining([links.up, links.down]));
      expect(email.text).toContain(`Useful (👍): ${links.up}`);
      expect(email.text).toContain(`Not for me (👎): ${links.down}`);
    }
    const html = visibleText(email.html);
    expect(html.indexOf('Paper 2')).toBeLessThan(html.lastIndexOf('👍 Useful'));
    expect(html.indexOf('Paper 1')).toBeLessThan(html.indexOf('👎 Not for me'));
    expect(renderDigestEmail(view([paper(1)])).text).not.toContain('Useful');
  });

  it("should share a paper's block between subscribers, each filled with their own vote links", () => {
    const alice = renderDigestEmailPieces(view([paper(1)], { votes: votesFor(1) })).html.papers[0];
    const bobVotes = votesFor(1, '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6');
    const bob = renderDigestEmailPieces(view([paper(1)], { votes: bobVotes })).html.papers[0];
    expect(bob.key).toBe(alice.key);
    expect(bob.render()).toEqual(alice.render());
    expect(filled(bob)).toContain(bobVotes[0].up.replace(/=/g, '&#x3D;'));
    expect(filled(bob)).not.toContain(alice.fills[5]);
    const withoutVotes = renderDigestEmailPieces(view([paper(1)])).html.papers[0];
    expect(withoutVotes.key).not.toBe(alice.key);
  });
});

describe('renderSlackMessages', () => {
  it('should give each paper 👍 / 👎 link buttons and ask Slack not to unfurl links', () => {
    const papers = Array.from({ length: 20 }, (_, i) =>
      paper(i + 1, { title: 'A long title '.repeat(10), abstract: 'word '.repeat(400) }),
    );
    const votes = votesFor(20);
    const messages = renderSlackMessages(view(papers, { votes }));
    const buttons = messages.flatMap((message) =>
      message.blocks
        .filter((block) => block.type === 'actions')
        .flatMap((block) => block.elements as { type: string; url: string; action_id: string }[]),
    );
    expect(buttons.map((button) => button.url)).toEqual(votes.flatMap((links) => [links.up, links.down]));
    expect(new Set(buttons.map((button) => button.action_id)).size).toBe(40);
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(JSON.stringify(message).length).toBeLessThan(13_000);
    }
  });

  it('should leave out the buttons of a paper whose vote link Slack would refuse (over 3,000 characters)', () => {
    const votes = votesFor(3);
    const long = `https://papers.example.org/vote/${'a'.repeat(3000 - 'https://papers.example.org/vote/'.length)}`;
    votes[1] = { up: `${long}x`, down: votes[1].down };
    votes[2] = { up: long, down: votes[2].down };
    const [message] = renderSlackMessages(view([paper(1), paper(2), paper(3)], { votes }));
    const actions = message.blocks.filter((block) => block.type === 'actions');
    const urls = actions.flatMap((block) => (block.elements as { url: string }[]).map((button) => button.url));
    // The paper itself is still listed; at exactly 3,000 characters the link is kept.
    expect(message.blocks.filter((block) => block.type === 'section')).toHaveLength(3);
    expect(urls).toEqual([votes[0].up, votes[0].down, long, votes[2].down]);
    expect(urls.every((url) => url.length <= 3000)).toBe(true);
  });

  it('should split a large digest into messages within Block Kit limits, the header first and the links last', () => {
    const messages = renderSlackMessages(
      view(
        Array.from({ length: 40 }, (_, i) => paper(i + 1)),
        { omittedCount: 5 },
      ),
    );
    expect(messages.map((m) => m.text)).toEqual([
      'Paperboy: 40 new papers for Saturday 28 November 2026 (1/3)',
      'Paperboy: 40 new papers for Saturday 28 November 2026 (2/3)',
      'Paperboy: 40 new papers for Saturday 28 November 2026 (3/3)',
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

  it('should start a new message before the blocks of long papers pass what Slack takes, keeping every paper', () => {
    const papers = Array.from({ length: 8 }, (_, i) =>
      paper(i + 1, {
        title: `Paper ${i + 1} `.repeat(60),
        abstract: 'word '.repeat(400),
        reasons: Array.from({ length: 40 }, (_, r) => `matches your topic number ${r} closely`),
      }),
    );
    const votes = votesFor(8);
    const messages = renderSlackMessages(view(papers, { votes, omittedCount: 2 }));
    expect(messages.length).toBeGreaterThan(1);
    for (const [index, message] of messages.entries()) {
      expect(JSON.stringify(message.blocks).length).toBeLessThan(13_000);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(message.text).toMatch(new RegExp(`\\(${index + 1}/${messages.length}\\)$`));
      expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
    }
    const sections = messages.flatMap((message) => message.blocks.filter((block) => block.type === 'section'));
    expect(sections.map((block) => /Paper (\d+)/.exec(JSON.stringify(block))?.[1])).toEqual(
      papers.map((_, i) => String(i + 1)),
    );
    const urls = messages.flatMap((message) =>
      message.blocks
        .filter((block) => block.type === 'actions')
        .flatMap((block) => (block.elements as { url: string }[]).map((button) => button.url)),
    );
    expect(urls).toEqual(votes.flatMap((links) => [links.up, links.down]));
    expect(messages[0].blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(messages.at(-1)?.blocks.at(-1))).toContain('Unsubscribe');
  });

  it('should send a small digest as one message', () => {
    const messages = renderSlackMessages(view([paper(1)]));
    expect(messages).toHaveLength(1);
    expect(messages[0].text).toBe('Paperboy: 1 new paper for Saturday 28 November 2026');
  });

  it('should escape Slack control characters in titles and link targets', () => {
    const [message] = renderSlackMessages(
      view([paper(1, { title: 'A <b> & <!channel>', url: 'https://x.org/a|b>c' })]),
    );
    const section = JSON.stringify(message.blocks[1]);
    expect(section).toContain('A &lt;b&gt; &amp; &lt;!channel&gt;');
    expect(section).not.toContain('<!channel>');
    expect(section).toContain('<https://x.org/a%7Cb%3Ec|');
  });

  it('should not link a title to anything but an http(s) URL', () => {
    const [message] = renderSlackMessages(view([paper(1, { title: 'Evil', url: 'javascript:alert(1)' })]));
    const section = (message.blocks[1].text as { text: string }).text;
    expect(section).toMatch(/^\*Evil\*\n/);
    expect(JSON.stringify(message)).not.toContain('javascript:');
  });

  it("should keep every section within Slack's 3,000 characters without cutting a link, however long the paper's texts", () => {
    const long = paper(1, {
      title: '&'.repeat(1000),
      authors: Array.from({ length: 4 }, (_, n) => `${'<'.repeat(300)} ${n}`),
      abstract: '& '.repeat(5000),
      reasons: Array.from({ length: 50 }, () => 'Large language models (title: "<language & model>")'),
    });
    const absurdLink = paper(2, { url: `https://x.org/${'a'.repeat(5000)}` });
    const [message] = renderSlackMessages(view([long, absurdLink]));
    const texts = message.blocks.flatMap((block) => [
      (block.text as { text?: string } | undefined)?.text,
      ...((block.elements as { text: string }[] | undefined) ?? []).map((element) => element.text),
    ]);
    for (const text of texts.filter((text): text is string => text !== undefined)) {
      expect(text.length).toBeLessThanOrEqual(3000);
      expect(text).not.toMatch(/&[a-z]*…/);
    }
    const [section, , secondSection] = message.blocks.slice(1).map((block) => (block.text as { text: string })?.text);
    expect(section).toMatch(/^\*<https:\/\/huggingface\.co\/papers\/2411\.00001\|(&amp;)+…>\*\n/);
    expect(secondSection).toMatch(/^\*Paper 2\*\n/);
  });

  it("should give each for-you subscriber their own why in Slack, the paper's section built once for both", () => {
    const source: DigestPaperSource = {
      id: '0f6a9c1e-2b3d-4e5f-8a9b-000000000001',
      title: 'Tom & <Jerry>',
      url: 'https://huggingface.co/papers/2411.00001',
      arxivId: '2411.00001',
      authors: ['Zoë Ångström'],
      upvotes: 3,
      abstract: 'An abstract.',
      summary: null,
      codeUrl: null,
      topics: [],
    };
    // A fan-out hands out one view per paper and interests (apps/notifier PaperViews).
    const shared = new Map<DigestPaperSource, DigestPaperView>();
    const viewOf = (paper: DigestPaperSource, interests: { topics: string[]; keywords: string[] }): DigestPaperView => {
      const view = shared.get(paper) ?? digestPaperView(paper, interests);
      shared.set(paper, view);
      return view;
    };
    const slackOf = (why: string) =>
      renderSlackMessages(
        buildDigestView(
          {
            digest: { periodKey: '2026-11-28', omittedCount: 0 },
            subscription: { topics: [], keywords: [], frequency: 'daily' },
            papers: [source],
            links: { unsubscribeUrl: 'https://a/u', feedUrl: 'https://a/f', viewUrl: 'https://a/v' },
            notes: new Map([[source.id ?? '', { explore: false, why }]]),
          },
          viewOf,
        ),
      )[0];
    const alice = slackOf('Similar to “<A & B>”, which you liked');
    const bob = slackOf('Similar to “C”, which you liked');
    expect(JSON.stringify(alice.blocks[2])).toContain('Similar to “&lt;A &amp; B&gt;”');
    expect(JSON.stringify(bob.blocks[2])).toContain('Similar to “C”');
    expect(JSON.stringify(bob)).not.toContain('A &amp; B');
    expect(bob.blocks[1]).toBe(alice.blocks[1]);
    expect((alice.blocks[1].text as { text: string }).text).toContain('Tom &amp; &lt;Jerry&gt;');
  });
});
