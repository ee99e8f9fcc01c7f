import { voteBackLink, voteConfirmPage, voteDonePage } from './vote-pages';

const site = { base: '/app' };
const paper = { id: '00000000-0000-4000-8000-000000000001', title: `<script>alert("x")</script> & $\\alpha$` };
const digestPath = '/app/digests/00000000-0000-4000-8000-000000000002?token=a_b-c.d.e';

describe('vote pages', () => {
  it('should show the paper escaped, its LaTeX read, and exactly one button that posts the token', () => {
    const html = voteConfirmPage(site, { paper, vote: 'down', back: null, token: 'tok"en' });
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; α');
    expect(html).not.toContain('<script>alert');
    expect(html.match(/<button /g)).toHaveLength(1);
    expect(html).toContain('<form class="actions" method="post" action="/app/vote">');
    expect(html).toContain('name="token" value="tok&quot;en"');
    expect(html).toContain('Is this paper not for you?');
  });

  it('should offer Undo after a vote, and both votes again once it is taken back', () => {
    const tokens = { up: 'U', down: 'D', none: 'N' };
    const done = voteDonePage(site, { paper, vote: 'up', back: digestPath, tokens });
    expect(done).toContain('Saved: 👍 useful to you.');
    expect([...done.matchAll(/value="([^"]+)"[^>]*>([^<]+)<\/button>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['N', 'Undo'],
    ]);
    expect(done).toContain('Back to your digest');
    const undone = voteDonePage(site, { paper, vote: 'none', back: null, tokens });
    expect([...undone.matchAll(/value="([^"]+)"[^>]*>([^<]+)<\/button>/g)].map((m) => m[1])).toEqual(['U', 'D']);
    expect(undone).toContain('Open the paper');
  });

  it.each([
    [digestPath, digestPath],
    [
      '/app/papers/00000000-0000-4000-8000-000000000001?digest=00000000-0000-4000-8000-000000000002&token=x.y.z',
      'same',
    ],
    ['https://evil.example/app/digests/00000000-0000-4000-8000-000000000002', null],
    ['//evil.example/app/digests/00000000-0000-4000-8000-000000000002', null],
    ['/app/digests/00000000-0000-4000-8000-000000000002?token="><script>', null],
    ['/other/digests/00000000-0000-4000-8000-000000000002', null],
    ['/app/manage?id=1', null],
    [42, null],
  ])('should take %j as a way back only if it is a digest or paper page of the site', (back, expected) => {
    expect(voteBackLink(site, back)).toBe(expected === 'same' ? back : expected);
  });
});
