import { renderDigestEmail } from './digest-email';
import { buildDigestView, DigestPaperSource } from './digest-view';
import { renderSlackMessages } from './slack-message';

const hostile: DigestPaperSource = {
  title: 'A paper whose source sent hostile links',
  url: 'javascript:alert(document.cookie)',
  arxivId: '2611.00001',
  authors: ['Ada Lovelace'],
  upvotes: 3,
  abstract: 'An abstract.',
  summary: null,
  codeUrl: 'data:text/html;base64,PHNjcmlwdD4=',
  topics: [{ topic: 'llm', evidence: ['language model'] }],
};

describe('digest views of papers with links that are not http(s)', () => {
  const view = buildDigestView({
    digest: { periodKey: '2026-11-27', omittedCount: 0 },
    subscription: { topics: ['llm'], keywords: [], frequency: 'daily' },
    papers: [hostile, { ...hostile, arxivId: null, url: 'vbscript:msgbox(1)', codeUrl: ' javascript:alert(1)' }],
    links: {
      unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=u',
      feedUrl: 'https://papers.example.org/feeds/subscription.rss?token=f',
      viewUrl: 'https://papers.example.org/digests/d1?token=v',
    },
  });

  it('should link the arXiv page instead, or nothing, and drop the code link', () => {
    expect(view.papers.map(({ url, codeUrl }) => ({ url, codeUrl }))).toEqual([
      { url: 'https://arxiv.org/abs/2611.00001', codeUrl: null },
      { url: '', codeUrl: null },
    ]);
  });

  it('should put none of them in the email or the Slack messages', () => {
    const email = renderDigestEmail(view);
    const slack = JSON.stringify(renderSlackMessages(view));
    for (const text of [email.html, email.text, slack]) {
      expect(text).toContain('A paper whose source sent hostile links');
      expect(text).not.toMatch(/javascript:|vbscript:|data:text/i);
    }
    // The paper left with no link is named without one.
    expect(slack).not.toContain('<|');
  });
});

describe('digest views of a for-you digest', () => {
  const liked = { ...hostile, id: 'p1', url: 'https://arxiv.org/abs/2611.00001', codeUrl: null };
  const view = buildDigestView({
    digest: { periodKey: '2026-11-27', omittedCount: 0 },
    subscription: { topics: ['llm'], keywords: [], frequency: 'daily' },
    papers: [liked, { ...liked, id: 'p2', title: 'Popular elsewhere' }, { ...liked, id: 'p3', title: 'No note' }],
    links: {
      unsubscribeUrl: 'https://papers.example.org/unsubscribe?token=u',
      feedUrl: 'https://papers.example.org/feeds/subscription.rss?token=f',
      viewUrl: 'https://papers.example.org/digests/d1?token=v',
    },
    notes: new Map([
      ['p1', { explore: false, why: 'Similar to “Mesa <b>”, which you liked.' }],
      ['p2', { explore: true, why: 'Popular this period and outside your usual picks.' }],
    ]),
  });

  it('should say why in plain words instead of the rule evidence, and mark explore slots', () => {
    expect(view.papers.map(({ reasons, explore }) => ({ reasons, explore }))).toEqual([
      { reasons: ['Similar to “Mesa <b>”, which you liked.'], explore: false },
      { reasons: ['Popular this period and outside your usual picks.'], explore: true },
      { reasons: [expect.stringContaining('language model')], explore: undefined },
    ]);
    const email = renderDigestEmail(view);
    expect(email.html).toContain('Similar to “Mesa &lt;b&gt;”, which you liked.');
    expect(email.text).toContain('Why: Popular this period and outside your usual picks.');
  });
});
