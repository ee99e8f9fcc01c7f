import { randomUUID } from 'node:crypto';
import { VoteRepository } from '@libs/database';
import { signToken, TokenPurpose, verifyToken } from '@libs/domain';
import { BASE, decodeHtml, escapeHtml, SECRET, useFeedsApi } from '../../../../test/support/feeds-context';

/** The "view in browser" page of a sent digest. */
describe('GET /digests/:id (view in browser)', () => {
  const ctx = useFeedsApi('digest-view');
  const { get, pathOf, rowById } = ctx;

  const TITLES = [
    'Attention <Is> All & "You" Need',
    "Rank two: O'Brien's <script>alert(1)</script>",
    'Rank three & last',
  ];
  let subscriptionId: string;
  let digestId: string;
  let otherDigestId: string;

  const viewPath = (id: string, token: string | undefined): string =>
    token === undefined ? `/digests/${id}` : `/digests/${id}?token=${encodeURIComponent(token)}`;
  const digestToken = (id: string, purpose: TokenPurpose = 'digest'): string =>
    signToken(SECRET, purpose, id, ctx.api.now());

  beforeAll(async () => {
    subscriptionId = await ctx.newSubscription({ email: 'viewer@example.org', status: 'active' });
    const ids: string[] = [];
    for (const [index, title] of TITLES.entries()) {
      // Listing dates run against the rank, so only the rank can order the page.
      ids.push(
        await ctx.newPaper({ arxivId: `2411.3000${index}`, title, listedAt: `2024-11-0${5 - index}T08:00:00Z` }),
      );
    }
    digestId = await ctx.newDigest(subscriptionId, '2024-11-06', '2024-11-06T08:00:00Z', ids);
    const otherSubscription = await ctx.newSubscription({ email: 'other-viewer@example.org', status: 'active' });
    const otherPaper = await ctx.newPaper({
      arxivId: '2411.30099',
      title: 'Only in the other digest view',
      listedAt: '2024-11-01T08:00:00Z',
    });
    otherDigestId = await ctx.newDigest(otherSubscription, '2024-11-06', '2024-11-06T08:00:00Z', [otherPaper]);
  });

  it('should give the same digest as JSON at /api/digests/:id, and 404 to any other token', async () => {
    const response = await get(`/api/digests/${digestId}?token=${encodeURIComponent(digestToken(digestId))}`);

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toMatch(/\bno-store\b/);
    const body = response.body as { id: string; periodKey: string; papers: { title: string; arxivUrl: string }[] };
    expect(body).toMatchObject({ id: digestId, periodKey: '2024-11-06', omittedCount: 0 });
    expect(body.papers.map((paper) => paper.title)).toEqual(TITLES);
    expect(body.papers[0].arxivUrl).toBe('https://arxiv.org/abs/2411.30000');
    expect((await get(`/api/digests/${otherDigestId}?token=${encodeURIComponent(digestToken(digestId))}`)).status).toBe(
      404,
    );
    expect(
      (await get(`/api/digests/${digestId}?token=${encodeURIComponent(digestToken(digestId, 'feed'))}`)).status,
    ).toBe(404);
    expect((await get(`/api/digests/${digestId}`)).status).toBe(404);
    expect((await get('/api/digests/not-a-uuid?token=x')).status).toBe(400);
  });

  it('should render the papers HTML-escaped in rank order in the site layout, with manage and unsubscribe links, never stored', async () => {
    const response = await get(viewPath(digestId, digestToken(digestId)));

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toMatch(/\bno-store\b/);
    const html = response.text;
    const positions = TITLES.map((title) => html.indexOf(escapeHtml(title)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).not.toContain('<Is>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('Only in the other digest view');

    // The site's layout: its stylesheet, landmarks and navigation, kept out of search engines.
    expect(html).toContain('<link rel="stylesheet" href="/assets/paperboy.css">');
    expect(html).toContain('<main id="main">');
    expect(html).toContain('<nav aria-label="Main">');
    expect(html).toContain('<meta name="robots" content="noindex">');
    const manageLink = /<a href="([^"]+)"[^>]*>Manage your preferences<\/a>/.exec(html)?.[1];
    expect(decodeHtml(manageLink ?? '')).toMatch(new RegExp(`^${BASE}/manage\\?id=${subscriptionId}&token=`));

    const unsubscribeLink = /<a href="([^"]+)"[^>]*>Unsubscribe<\/a>/.exec(html)?.[1];
    expect(unsubscribeLink).toBeDefined();
    const unsubscribeUrl = decodeHtml(unsubscribeLink as string);
    expect(unsubscribeUrl.startsWith(`${BASE}/unsubscribe?token=`)).toBe(true);
    const unsubscribeToken = new URL(unsubscribeUrl).searchParams.get('token') ?? '';
    expect(verifyToken(SECRET, 'unsubscribe', unsubscribeToken, ctx.api.now())).toBe(subscriptionId);
    const unsubscribePage = await get(pathOf(unsubscribeUrl));
    expect(unsubscribePage.status).toBe(200);
    expect(unsubscribePage.text).toContain('<form');
    expect((await rowById(subscriptionId)).status).toBe('active');
  });

  it('should answer the 404 "not valid" page for a token of another digest, of another purpose, tampered or missing', async () => {
    const genuine = digestToken(digestId);
    const [subject, iat, signature] = genuine.split('.');
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const bad: Record<string, string | undefined> = {
      "another digest's token": digestToken(otherDigestId),
      'an unsubscribe token for this id': digestToken(digestId, 'unsubscribe'),
      'a feed token for this id': digestToken(digestId, 'feed'),
      'an unsubscribe token of the subscription': signToken(SECRET, 'unsubscribe', subscriptionId, ctx.api.now()),
      'a tampered signature': `${subject}.${iat}.${flipped}`,
      'a token signed with another secret': signToken('another-secret-another-secret', 'digest', digestId, ctx.api.now()),
      'an empty token': '',
      'a missing token': undefined,
    };

    for (const [label, token] of Object.entries(bad)) {
      const response = await get(viewPath(digestId, token));

      expect({ label, status: response.status }).toEqual({ label, status: 404 });
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('This link is not valid');
      expect(response.text).not.toContain(escapeHtml(TITLES[0]));
    }
  });

  it('should list the papers the cap left out below the papers shown, as "More papers from this digest"', async () => {
    const shown = await ctx.newPaper({
      arxivId: '2411.30100',
      title: 'Shown in the email',
      listedAt: '2024-11-05T08:00:00Z',
    });
    const leftOut = [];
    for (const [index, title] of ['Left out first', 'Left out <second>'].entries()) {
      leftOut.push(await ctx.newPaper({ arxivId: `2411.3010${index + 1}`, title, listedAt: '2024-11-05T08:00:00Z' }));
    }
    const capped = await ctx.newDigest(subscriptionId, '2024-11-07', '2024-11-07T08:00:00Z', [shown]);
    await ctx.sql.query(`UPDATE digests SET "omittedCount" = 2 WHERE id = $1`, [capped]);
    await ctx.sql.query(`UPDATE digests SET "leftOutPaperIds" = $2 WHERE id = $1`, [capped, leftOut]);

    const html = (await get(viewPath(capped, digestToken(capped)))).text;
    const at = [
      'Shown in the email',
      'More papers from this digest',
      'Left out first',
      escapeHtml('Left out <second>'),
    ].map((text) => html.indexOf(text));
    expect(at.every((position) => position >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html).toContain('<span class="rank">3.</span>');
    // The page shows them: each has its vote form, as the papers sent do.
    expect(html.match(/<form class="vote-form"[^>]*data-vote-form>/g)).toHaveLength(3);
    // The page lists them: it no longer says they are somewhere else.
    expect(html).not.toContain('And 2 more');
    const json = (await get(`/api/digests/${capped}?token=${encodeURIComponent(digestToken(capped))}`)).body as {
      papers: { title: string }[];
      leftOut: { title: string }[];
      omittedCount: number;
    };
    expect(json.papers.map((paper) => paper.title)).toEqual(['Shown in the email']);
    expect(json.leftOut.map((paper) => paper.title)).toEqual(['Left out first', 'Left out <second>']);
    expect(json.omittedCount).toBe(2);
  });

  it('should answer the 404 "not valid" page, not a 500 or JSON, for a digest id that is not a UUID', async () => {
    for (const id of ['not-a-uuid', '123', `${randomUUID()}x`]) {
      const response = await get(viewPath(id, signToken(SECRET, 'digest', id, ctx.api.now())));

      expect({ id, status: response.status, type: response.headers['content-type'] }).toEqual({
        id,
        status: 404,
        type: 'text/html; charset=utf-8',
      });
      expect(response.text).toContain('<h1>This link is not valid</h1>');
    }
  });

  it('should show at least what the email shows: tags, why, arXiv, PDF, Hugging Face and code links, and each paper page', async () => {
    const [tagged] = await ctx.newPapers([
      {
        title: 'A tagged paper with code',
        abstract: 'Reasoning agents.',
        authors: ['Ada Lovelace'],
        arxivId: '2411.30200',
        listedAt: '2024-11-05T08:00:00Z',
        codeUrl: 'https://github.com/example/code?x=1&y=2',
        topics: [
          { topic: 'llm', score: 6, evidence: ['title: "language model"'] },
          { topic: 'agents', score: 4, evidence: [] },
        ],
      },
    ]);
    const [hostileLink] = await ctx.newPapers([
      {
        title: 'A paper whose source sent a script link',
        abstract: 'x',
        arxivId: '2411.30201',
        listedAt: '2024-11-05T08:00:00Z',
        codeUrl: 'javascript:alert(1)',
      },
    ]);
    const id = await ctx.newDigest(subscriptionId, '2024-11-08', '2024-11-08T08:00:00Z', [tagged, hostileLink]);
    const token = encodeURIComponent(digestToken(id));
    const html = (await get(`/digests/${id}?token=${token}`)).text;
    // The view the email is rendered from: everything it shows of a paper is on the page too.
    const view = (await get(`/api/digests/${id}?token=${token}`)).body as {
      papers: { tags: string[]; reasons: string[]; arxivUrl: string | null; huggingFaceUrl: string | null }[];
    };
    expect(view.papers[0].tags).toEqual(['Large Language Models', 'Agents']);
    for (const tag of view.papers[0].tags) {
      expect(html).toContain(
        `<a class="chip" href="/topics/${tag === 'Agents' ? 'agents' : 'llm'}">${escapeHtml(tag)}</a>`,
      );
    }
    expect(html).toContain(`Why: ${escapeHtml(view.papers[0].reasons.join('; '))}`);
    for (const link of [
      view.papers[0].arxivUrl,
      view.papers[0].huggingFaceUrl,
      'https://arxiv.org/pdf/2411.30200',
      'https://github.com/example/code?x=1&y=2',
    ]) {
      expect(html).toContain(`href="${escapeHtml(link ?? 'missing')}"`);
    }
    // Each paper's page on the site, opened with the digest's context (its vote form and the way back).
    const pageOf = (title: string): string =>
      decodeHtml(new RegExp(`<a href="([^"]+)">${escapeHtml(title)}</a>`).exec(html)?.[1] ?? 'missing');
    const context = `digest=${id}&token=${token}`;
    expect(pageOf('A tagged paper with code')).toBe(`/papers/${tagged}?${context}`);
    expect(pageOf('A paper whose source sent a script link')).toBe(`/papers/${hostileLink}?${context}`);
    expect(html).not.toContain('javascript:');
  });

  it('should say why in plain words and mark explore slots in a for-you digest, escaped', async () => {
    const [liked, explore] = await ctx.newPapers([
      {
        title: 'A for-you pick',
        abstract: 'x',
        arxivId: '2411.30300',
        listedAt: '2024-11-05T08:00:00Z',
        topics: [{ topic: 'llm', score: 6, evidence: ['title: "rule"'] }],
      },
      { title: 'An explore pick', abstract: 'x', arxivId: '2411.30301', listedAt: '2024-11-05T08:00:00Z' },
    ]);
    const id = await ctx.newDigest(subscriptionId, '2024-11-09', '2024-11-09T08:00:00Z', [liked, explore]);
    await ctx.sql.query(`UPDATE digest_papers SET explore = ("paperId" = $2), why = $3 WHERE "digestId" = $1`, [
      id,
      explore,
      'Similar to “<Mesa>”, which you liked.',
    ]);
    const html = (await get(`/digests/${id}?token=${encodeURIComponent(digestToken(id))}`)).text;
    expect(html).toContain('Why: Similar to “&lt;Mesa&gt;”, which you liked.');
    expect(html).not.toContain('title: &quot;rule&quot;');
    expect(html.match(/<strong>Explore<\/strong> · Why:/g)).toHaveLength(1);
    expect(html.indexOf('<strong>Explore</strong>')).toBeGreaterThan(html.indexOf('An explore pick'));
  });

  it("should press the subscriber's current vote on a digest's papers, reading only those papers' votes", async () => {
    const liked = await ctx.newPaper({ arxivId: '2411.30311', title: 'Voted up', listedAt: '2024-11-05T08:00:00Z' });
    const unvoted = await ctx.newPaper({ arxivId: '2411.30312', title: 'Not voted', listedAt: '2024-11-05T08:00:00Z' });
    const elsewhere = await ctx.newPaper({
      arxivId: '2411.30313',
      title: 'In no digest',
      listedAt: '2024-11-05T08:00:00Z',
    });
    const id = await ctx.newDigest(subscriptionId, '2024-11-10', '2024-11-10T08:00:00Z', [liked, unvoted]);
    await ctx.sql.query(
      `INSERT INTO paper_votes ("subscriptionId", "paperId", vote, source, "createdAt", "updatedAt")
       VALUES ($1, $2, 'up', 'digest', '2024-11-10T09:00:00Z', '2024-11-10T09:00:00Z'),
              ($1, $3, 'down', 'site', '2024-11-10T09:00:00Z', '2024-11-10T09:00:00Z')`,
      [subscriptionId, liked, elsewhere],
    );

    const page = await get(viewPath(id, digestToken(id)));

    expect(page.status).toBe(200);
    expect(page.text.match(/aria-pressed="true" data-vote="\w+"/g)).toEqual(['aria-pressed="true" data-vote="up"']);
    const votes = ctx.api.app.get(VoteRepository);
    expect([...(await votes.votesOn(subscriptionId, [liked, unvoted]))]).toEqual([[liked, 'up']]);
    expect([...(await votes.votesOn(subscriptionId, []))]).toEqual([]);
  });

  it('should answer 404 for an unknown digest id even with a token signed for it', async () => {
    const unknown = randomUUID();

    const response = await get(viewPath(unknown, digestToken(unknown)));

    expect(response.status).toBe(404);
    expect(response.text).toContain('This link is not valid');
  });
});
