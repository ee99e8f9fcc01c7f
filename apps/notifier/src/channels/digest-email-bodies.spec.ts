import { simpleParser } from 'mailparser';
import {
  buildDigestView,
  DigestPaperNote,
  DigestPaperSource,
  DigestPaperView,
  DigestView,
  renderDigestEmail,
} from '@libs/domain';
import { composeMessage } from '@libs/mail';
import { PaperViews } from '../paper-views';
import { DigestEmailBodies } from './digest-email-bodies';

const paper = (n: number, title = `Paper ${n}`): DigestPaperView => ({
  title,
  url: `https://huggingface.co/papers/2411.0000${n}`,
  arxivUrl: `https://arxiv.org/abs/2411.0000${n}`,
  huggingFaceUrl: `https://huggingface.co/papers/2411.0000${n}`,
  authors: ['Zoë Ångström', '李雷'],
  upvotes: 10 * n,
  abstract: `An abstract with = signs and ünïcödé, long enough to wrap. `.repeat(8),
  summary: null,
  codeUrl: null,
  tags: ['Agents'],
  reasons: ['Agents (title: "agent")'],
});

const digest = (subscriber: string, papers: DigestPaperView[]): DigestView => ({
  periodKey: '2026-11-28',
  frequency: 'daily',
  papers,
  omittedCount: 2,
  leftOut: [],
  unsubscribeUrl: `https://papers.example.org/unsubscribe?token=${subscriber}.x=y&z`,
  feedUrl: `https://papers.example.org/feeds/${subscriber}.rss`,
  viewUrl: `https://papers.example.org/digests/d-${subscriber}?token=${subscriber}`,
  manageUrl: `https://papers.example.org/manage?id=${subscriber}&token=m`,
});

/** The message sent from the encoded parts, as a mail client reads it. */
async function received(
  view: DigestView,
  bodies: DigestEmailBodies,
): Promise<{ subject?: string; html: string; text: string }> {
  const body = bodies.bodyOf(view);
  const { raw } = composeMessage({
    from: 'a@example.org',
    to: 'b@example.org',
    subject: body.subject,
    html: body.html,
    text: body.text,
  });
  const parsed = await simpleParser(raw);
  return { subject: parsed.subject, html: parsed.html || '', text: parsed.text ?? '' };
}

const lines = (text: string): string => text.replace(/\r\n/g, '\n').trimEnd();

/** The text of an HTML part as a reader sees it: Handlebars' entities (& < > " ' ` =) turned back. */
const decodeHtml = (html: string): string =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');

describe('DigestEmailBodies', () => {
  it('should send each subscriber exactly the email rendered for their own digest, links included', async () => {
    // A capacity of one block makes most blocks evict each other: both the cached and the fresh path run.
    const bodies = new DigestEmailBodies(1);
    const shared = [paper(1), paper(2, 'Tom & Jerry <b>')];
    const views = [digest('alice', shared), digest('bob', shared), digest('carol', [paper(3)]), digest('dave', shared)];
    for (const view of views) {
      const email = await received(view, bodies);
      const expected = renderDigestEmail(view);
      expect(email.subject).toBe(expected.subject);
      expect(lines(email.html)).toBe(lines(expected.html));
      expect(lines(email.text)).toBe(lines(expected.text));
    }
  });

  it("should not let one subscriber's links into another's email", async () => {
    const bodies = new DigestEmailBodies();
    const shared = [paper(1)];
    await received(digest('alice', shared), bodies);
    const bob = await received(digest('bob', shared), bodies);
    expect(bob.html).toContain('digests/d-bob');
    expect(bob.text).toContain('token=bob');
    expect(`${bob.html}${bob.text}`).not.toContain('alice');
  });

  it("should fill each for-you subscriber's own why sentence into blocks rendered once for both", async () => {
    const source = (n: number): DigestPaperSource => ({
      id: `00000000-0000-4000-8000-00000000000${n}`,
      title: `Paper ${n}`,
      url: `https://huggingface.co/papers/2411.0000${n}`,
      arxivId: `2411.0000${n}`,
      authors: ['Zoë Ångström'],
      upvotes: n,
      abstract: 'An abstract with = signs and ünïcödé. '.repeat(6),
      summary: null,
      codeUrl: null,
      topics: [{ topic: 'agents', evidence: [] }],
    });
    const papers = [source(1), source(2)];
    // Hostile whys: markup, an ampersand, "=" (quoted-printable's escape), non-ASCII and a line far over 76.
    const whys = {
      alice: [
        'Similar to “<b>Tom & Jerry</b>”, which you liked',
        `Similar to “=?utf-8?q?x?= ${'Ω'.repeat(40)}${'=A'.repeat(90)}”, which you liked`,
      ],
      bob: ['Similar to “a < b && c > d”, which you liked', `Popular this week ${'x'.repeat(200)} =3D 李雷 ✓`],
    };
    const paperViews = new PaperViews();
    const viewOf = (subscriber: keyof typeof whys): DigestView => {
      const notes = new Map<string, DigestPaperNote>(
        papers.map((paper, index) => [paper.id ?? '', { explore: index === 1, why: whys[subscriber][index] }]),
      );
      return buildDigestView(
        {
          digest: { periodKey: '2026-11-28', omittedCount: 0 },
          subscription: { topics: [], keywords: [], frequency: 'daily' },
          papers,
          links: {
            unsubscribeUrl: `https://papers.example.org/unsubscribe?token=${subscriber}`,
            feedUrl: `https://papers.example.org/feeds/${subscriber}.rss`,
            viewUrl: `https://papers.example.org/digests/d-${subscriber}`,
          },
          notes,
          voteLinks: (paperId, origin) => ({
            up: `https://papers.example.org/vote?s=${subscriber}&p=${paperId}&o=${origin}&v=up`,
            down: `https://papers.example.org/vote?s=${subscriber}&p=${paperId}&o=${origin}&v=down`,
          }),
        },
        paperViews.viewOf,
      );
    };
    const rendered: string[] = [];
    const bodies = new DigestEmailBodies(2_000, (format, key) => rendered.push(`${format}:${key}`));

    const aliceView = viewOf('alice');
    const alice = await received(aliceView, bodies);
    const framesOfOne = rendered.length;
    const bobView = viewOf('bob');
    const bob = await received(bobView, bodies);

    // Bob's email rendered nothing: his papers' blocks (and the text around them) came from Alice's.
    expect(framesOfOne).toBe(2 * (papers.length + 2));
    expect(rendered).toHaveLength(framesOfOne);
    for (const [subscriber, view, email] of [
      ['alice', aliceView, alice],
      ['bob', bobView, bob],
    ] as const) {
      const expected = renderDigestEmail(view);
      expect(lines(email.html)).toBe(lines(expected.html));
      expect(lines(email.text)).toBe(lines(expected.text));
      for (const why of whys[subscriber]) {
        expect(email.text).toContain(`Why: ${why}`);
        expect(decodeHtml(email.html)).toContain(`Why: ${why}`);
      }
      const other = subscriber === 'alice' ? whys.bob : whys.alice;
      for (const why of other) {
        expect(email.text).not.toContain(why);
        expect(decodeHtml(email.html)).not.toContain(why);
      }
    }
    // Escaped in HTML: no markup of a why reaches it.
    expect(alice.html).toContain('Why: Similar to “&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;”');
    expect(alice.html).not.toContain('<b>Tom');
  });
});
