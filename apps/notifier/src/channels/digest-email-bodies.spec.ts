import { simpleParser } from 'mailparser';
import { DigestPaperView, DigestView, renderDigestEmail } from '@libs/domain';
import { composeMessage } from '@libs/mail';
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
});
