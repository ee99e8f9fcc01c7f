import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { voteTokenClaim } from '@libs/domain';
import { decodeHtml } from './support/feeds-context';
import { AppProcess, deleteQueueKeys, runCli, startServices, waitFor, withOutputOf } from './support/processes';
import { ReceivedMail, SmtpSink, startSmtpSink } from './support/smtp-sink';
import { close, listen, repositoryRoot } from './support/stand-ins';
import { freePort } from './support/tcp-proxy';
import { testInstant } from './support/test-clock';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 3600_000;
const FIXTURES = join(repositoryRoot(__dirname), 'test/fixtures/ranking');

interface RankingPaper {
  id: string;
  day: number;
  title: string;
  abstract: string;
  authors: string[];
  upvotes: number;
}
const ranking = JSON.parse(readFileSync(join(FIXTURES, 'papers.json'), 'utf8')) as { papers: RankingPaper[] };
// The broad, one-topic readers (topic-users.json) have interests with no paper in common, as this test needs.
const users = ['users.json', 'topic-users.json'].flatMap(
  (file) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { id: string; relevant: string[] }[],
);
/** Two interests the fixture's readers labelled with no paper in common: one liked, one disliked. */
const liked = new Set(users.find((user) => user.id === 'diffusion-flow')?.relevant ?? []);
const disliked = new Set(users.find((user) => user.id === 'reasoning-test-time')?.relevant);
/** The fixture paper `p123` is listed as arXiv 2411.10123. */
const arxivIdOf = (paper: RankingPaper): string => `2411.${10000 + Number(paper.id.slice(1))}`;

/** One paper of a digest email (text part), in the email's order. */
interface EmailItem {
  title: string;
  why: string | null;
  paperId: string;
  up: string;
  down: string;
}

/**
 * Relevance end to end (issue 14): the four services as processes, real Postgres, Redis and SMTP. A subscriber
 * with no topics gets day one's digest, votes through its links (a page, then its button) and the API, the
 * classifier's trainer learns their model, and day two's digest (new papers, listed a day later) ranks the
 * papers like the liked ones first, says why in plain words and marks its explore slots. A mail scanner
 * fetching every link records nothing. Papers: the ranking fixture's days 1-7 on day one, 8-14 on day two.
 */
describe('Relevance: votes from a digest teach the next one (end to end)', () => {
  // The services' clock starts at the test instant (CLOCK_START), whatever the hour the test runs at.
  const clockStart = testInstant();
  const today = clockStart.toISOString().slice(0, 10);
  const tomorrow = new Date(clockStart.getTime() + 24 * HOUR).toISOString().slice(0, 10);
  let database: TestDatabase;
  let smtp: SmtpSink;
  let hf: { url: string; close(): Promise<void> };
  const apps: AppProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let api: string;
  let sql: Client;
  let workDir: string;
  const prefix = testQueuePrefix('relevance-e2e');
  // The CLI sends "as if" 23 hours after the clock's start, at the subscriber's send hour: the running
  // notifier's minute tick never sends on its own (as in pipeline.e2e-spec.ts); day two's digest is due 24 hours later.
  const firstSendAt = new Date(clockStart.getTime() + 23 * HOUR);

  beforeAll(async () => {
    database = await createTestDatabase('relevance_e2e');
    smtp = await startSmtpSink();
    // Day one's papers listed more than a day before its digest (but within a first digest's 2-day lookback), so
    // that the ones its cap left out are not candidates of day two's digest; day two's listed after it.
    hf = await startRankingHfStandIn({
      [today]: { papers: ranking.papers.filter((paper) => paper.day <= 7), from: firstSendAt.getTime() - 30 * HOUR },
      [tomorrow]: { papers: ranking.papers.filter((paper) => paper.day > 7), from: firstSendAt.getTime() + HOUR },
    });
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-relevance-e2e-'));
    const sourcesFile = join(workDir, 'sources.yml');
    writeFileSync(
      sourcesFile,
      `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "0 6 * * *"\n`,
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      PUBLIC_URL: api,
      PORT: String(port),
      APP_SECRET: 'relevance-e2e-secret-relevance-e2e',
      SOURCES_FILE: sourcesFile,
      ALLOW_PRIVATE_TARGETS: 'true',
      CLOCK_START: clockStart.toISOString(),
    };
    await startServices(apps, env, api);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await Promise.all(apps.map((app) => app.stop()));
    await Promise.all([smtp?.close(), hf?.close()]);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    rmSync(workDir, { force: true, recursive: true });
  });

  const failWithLogs = (error: Error): never => withOutputOf(apps, error);
  const digestsTo = (address: string): ReceivedMail[] =>
    smtp.mails.filter((mail) => mail.to.includes(address) && mail.parsed.subject?.includes('new paper'));
  const claimOf = (url: string) => voteTokenClaim(decodeURIComponent(new URL(url).pathname.split('/').pop() ?? ''));
  const voteCount = async (): Promise<number> =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM paper_votes')).rows[0].n;

  /** The papers of a digest's text part, in order: title, why line, and the paper its vote links name. */
  const itemsOf = (mail: ReceivedMail): EmailItem[] =>
    (mail.parsed.text ?? '')
      .split(/\n(?=\d+\. )/)
      .slice(1)
      .map((block) => {
        const up = /Useful \(👍\): (\S+)/.exec(block)?.[1] ?? '';
        return {
          title: /^\d+\. (.+)$/m.exec(block)?.[1] ?? '',
          why: /^ {3}Why: (.+)$/m.exec(block)?.[1] ?? null,
          paperId: claimOf(up)?.paperId ?? '',
          up,
          down: /Not for me \(👎\): (\S+)/.exec(block)?.[1] ?? '',
        };
      });
  /** Every vote link of an email, both parts. */
  const voteLinksOf = (mail: ReceivedMail): string[] => {
    const hrefs = [...String(mail.parsed.html).matchAll(/href="([^"]+)"/g)].map((match) => decodeHtml(match[1]));
    const texts = [...(mail.parsed.text ?? '').matchAll(/https?:\/\/\S+/g)].map((match) => match[0]);
    return [...hrefs, ...texts].filter((url) => url.startsWith(`${api}/vote/`));
  };
  /** What a mail scanner does: fetch every link of the email, following nothing else. */
  const scan = async (mail: ReceivedMail): Promise<number> => {
    const links = voteLinksOf(mail);
    for (const url of links) {
      const response = await fetch(url, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' } });
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
    }
    return links.length;
  };
  /** A person's vote: open the link's page, press its button (a plain form POST). */
  const voteThroughPage = async (url: string): Promise<void> => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    const form = /<form[^>]*method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    const token = /<button type="submit" name="token" value="([^"]+)"/.exec(form?.[2] ?? '')?.[1];
    expect(form && token).toBeTruthy();
    const done = await fetch(`${api}${decodeHtml(form?.[1] ?? '')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: decodeHtml(token ?? '') }).toString(),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Saved: ');
  };
  /** The fixture paper behind a stored paper id (by its arXiv id). */
  const fixturePapers = async (): Promise<Map<string, RankingPaper>> => {
    const byArxiv = new Map(ranking.papers.map((paper) => [arxivIdOf(paper), paper]));
    const { rows } = await sql.query<{ id: string; arxivId: string }>('SELECT id, "arxivId" FROM papers');
    return new Map(rows.map((row) => [row.id, byArxiv.get(row.arxivId) as RankingPaper]));
  };

  it("should rank day two's digest by day one's votes, say why in plain words, mark explore slots, and ignore scanners", async () => {
    // Subscribe with no topics or keywords (everything, ranked), and confirm.
    const email = 'reader@example.org';
    const subscribed = await fetch(`${api}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, timezone: 'UTC', sendHour: firstSendAt.getUTCHours(), maxPapers: 40 }),
    });
    expect(subscribed.status).toBe(202);
    await waitFor('the confirmation email', async () => smtp.mails.some((mail) => mail.to.includes(email)));
    const confirm = /(http:\/\/\S+\/subscriptions\/confirm\?token=\S+)/.exec(smtp.mails[0].parsed.text ?? '')?.[1];
    expect((await fetch(confirm as string)).status).toBe(200);
    const subscriptionId = (await sql.query<{ id: string }>('SELECT id FROM subscriptions')).rows[0].id;

    // Day one: its papers, and the digest (no votes yet: by upvotes, no why sentences or explore slots).
    const fetched = await runCli(['fetch', '--date', today], env);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(0);
    const sentOne = await runCli(['digest', 'send', '--now', firstSendAt.toISOString()], env);
    expect(sentOne.stdout).toMatch(/: 1 \(1 sent, 0 empty, 0 failed\)/);
    const [dayOne] = digestsTo(email);
    const dayOneItems = itemsOf(dayOne);
    expect(dayOneItems).toHaveLength(40);
    expect((await sql.query('SELECT 1 FROM digest_papers WHERE explore OR why IS NOT NULL')).rowCount).toBe(0);

    // A mail scanner fetches every vote link: nothing is recorded.
    expect(await scan(dayOne)).toBe(4 * 40);
    expect(await voteCount()).toBe(0);

    // The reader likes three diffusion / flow-matching papers and dislikes two on LLM reasoning, through the
    // email's links, and likes one more through the API (with the manage link's token).
    const papers = await fixturePapers();
    const fixtureOf = (item: EmailItem): RankingPaper => papers.get(item.paperId) as RankingPaper;
    const likedItems = dayOneItems.filter((item) => liked.has(fixtureOf(item).id));
    const dislikedItems = dayOneItems.filter((item) => disliked.has(fixtureOf(item).id));
    expect(likedItems.length).toBeGreaterThanOrEqual(4);
    expect(dislikedItems.length).toBeGreaterThanOrEqual(2);
    for (const item of likedItems.slice(0, 3)) {
      await voteThroughPage(item.up);
    }
    for (const item of dislikedItems.slice(0, 2)) {
      await voteThroughPage(item.down);
    }
    const manageUrl = /Manage your preferences: (\S+)/.exec(dayOne.parsed.text ?? '')?.[1] ?? '';
    const manageToken = new URL(manageUrl).searchParams.get('token') ?? '';
    const byApi = await fetch(
      `${api}/api/subscriptions/${subscriptionId}/feedback?token=${encodeURIComponent(manageToken)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paper: arxivIdOf(fixtureOf(likedItems[3])), vote: 'up' }),
      },
    );
    expect(byApi.status).toBeLessThan(300);
    const likedTitles = likedItems.slice(0, 4).map((item) => item.title);
    const votes = await sql.query<{ paperId: string; vote: string; source: string }>(
      'SELECT "paperId", vote, source FROM paper_votes ORDER BY "createdAt"',
    );
    expect(votes.rows).toEqual([
      ...likedItems.slice(0, 3).map((item) => ({ paperId: item.paperId, vote: 'up', source: 'digest' })),
      ...dislikedItems.slice(0, 2).map((item) => ({ paperId: item.paperId, vote: 'down', source: 'digest' })),
      { paperId: likedItems[3].paperId, vote: 'up', source: 'site' },
    ]);

    // The classifier's trainer learns the model (debounced after the last vote).
    await waitFor(
      'the trained model',
      async () =>
        (
          await sql.query(
            'SELECT 1 FROM subscriber_models WHERE "subscriptionId" = $1 AND liked = 4 AND disliked = 2',
            [subscriptionId],
          )
        ).rowCount === 1,
      120_000,
    ).catch(failWithLogs);
    // Trained on the services' clock: after the last vote, before the next digest is due.
    const { rows: trained } = await sql.query<{ trainedAt: Date; lastVote: Date }>(
      `SELECT m."trainedAt", (SELECT max("updatedAt") FROM paper_votes) AS "lastVote"
         FROM subscriber_models m WHERE m."subscriptionId" = $1`,
      [subscriptionId],
    );
    expect(trained[0].trainedAt.getTime()).toBeGreaterThanOrEqual(trained[0].lastVote.getTime());
    expect(trained[0].trainedAt.getTime()).toBeLessThan(firstSendAt.getTime() + 24 * HOUR);

    // Day two: new papers, listed a day later, and the digest due a day later.
    const fetchedTwo = await runCli(['fetch', '--date', tomorrow], env);
    expect(fetchedTwo.code).toBe(0);
    const sentTwo = await runCli(
      ['digest', 'send', '--now', new Date(firstSendAt.getTime() + 24 * HOUR).toISOString()],
      env,
    );
    expect(sentTwo.stdout).toMatch(/: 1 \(1 sent, 0 empty, 0 failed\)/);
    const [, dayTwo] = digestsTo(email);
    expect(await scan(dayTwo)).toBe(4 * 40);
    expect(await voteCount()).toBe(6);

    const allPapers = await fixturePapers();
    const items = itemsOf(dayTwo).map((item) => ({ ...item, fixture: allPapers.get(item.paperId) as RankingPaper }));
    expect(items).toHaveLength(40);
    expect(items.every((item) => item.fixture.day > 7)).toBe(true);

    // Up to two explore slots, recorded as such by the digest, voted on with source "explore".
    const exploreWhy = 'Popular this period and outside your usual picks: your vote on it helps tune your digest.';
    const explore = items.filter((item) => item.why === exploreWhy);
    const picks = items.filter((item) => item.why !== exploreWhy);
    expect(explore).toHaveLength(2);
    const recorded = await sql.query<{ paperId: string }>(
      `SELECT d."paperId" FROM digest_papers d JOIN digests g ON g.id = d."digestId"
        WHERE g."subscriptionId" = $1 AND d.explore`,
      [subscriptionId],
    );
    expect(recorded.rows.map((row) => row.paperId).sort()).toEqual(explore.map((item) => item.paperId).sort());
    expect(items.map((item) => claimOf(item.down)?.source)).toEqual(
      items.map((item) => (explore.includes(item) ? 'explore' : 'digest')),
    );

    // The papers like the liked ones first: the interest's papers of day two (labelled by the fixture's
    // readers, not by the model) lead the digest and all rank above the disliked interest's; by upvotes
    // (day one's order) they would not.
    const likedToday = picks.filter((item) => liked.has(item.fixture.id));
    const rankOf = (item: EmailItem): number => picks.indexOf(item as (typeof picks)[number]);
    const dayTwoPapers = ranking.papers.filter((paper) => paper.day > 7);
    expect(likedToday).toHaveLength(dayTwoPapers.filter((paper) => liked.has(paper.id)).length);
    expect(picks.slice(0, 3).every((item) => liked.has(item.fixture.id))).toBe(true);
    expect(Math.max(...likedToday.map(rankOf))).toBeLessThan(2 * likedToday.length);
    const dislikedToday = picks.filter((item) => disliked.has(item.fixture.id));
    expect(dislikedToday.every((item) => rankOf(item) > Math.max(...likedToday.map(rankOf)))).toBe(true);
    const byUpvotes = [...dayTwoPapers].sort((a, b) => b.upvotes - a.upvotes).slice(0, 3);
    expect(byUpvotes.every((paper) => liked.has(paper.id))).toBe(false);

    // Why, in plain words: the liked paper it is closest to, and the paper's own words that weigh most.
    for (const item of picks) {
      const why = /^(?:Similar to “(.+?)”, which you liked\.)? ?(?:Matches what you like: (.+)\.)?$/.exec(
        item.why ?? '',
      );
      expect({ title: item.title, why: item.why, plain: why !== null && (why[1] ?? why[2]) !== undefined }).toEqual({
        title: item.title,
        why: item.why,
        plain: true,
      });
      if (why?.[1] !== undefined) {
        expect(likedTitles).toContain(why[1]);
      }
      // Compared as words: the paper's "high-frequency" is the term "high frequency".
      const wordsOf = (text: string): string => ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
      const words = wordsOf(`${item.fixture.title} ${item.fixture.abstract} ${item.fixture.authors.join(' ')}`);
      for (const term of why?.[2]?.split(', ') ?? []) {
        expect({ title: item.title, term, inPaper: words.includes(wordsOf(term)) }).toEqual({
          title: item.title,
          term,
          inPaper: true,
        });
      }
    }
    expect(likedToday.some((item) => likedTitles.some((title) => item.why?.includes(`Similar to “${title}”`)))).toBe(
      true,
    );

    // The web view shows the same why sentences and marks the explore slots.
    const viewUrl = /View in your browser: (\S+)/.exec(dayTwo.parsed.text ?? '')?.[1] ?? '';
    const view = await fetch(viewUrl);
    expect(view.status).toBe(200);
    // One block a paper, up to the next paper (its topic chips are list items too).
    const listed = (await view.text())
      .split('<li class="paper">')
      .slice(1)
      .map((html) => ({
        title: decodeHtml(
          /<h2>(?:<span class="rank">\d+\.<\/span> )?(?:<a href="[^"]*">)?([\s\S]*?)(?:<\/a>)?<\/h2>/.exec(html)?.[1] ??
            '',
        ),
        explore: html.includes('<strong>Explore</strong>'),
        why: decodeHtml(/Why: ([^<]*)<\/p>/.exec(html)?.[1] ?? ''),
      }));
    expect(listed.slice(0, items.length)).toEqual(
      items.map((item) => ({ title: item.title, explore: explore.includes(item), why: item.why })),
    );

    // A vote on an explore slot is kept apart as such.
    await voteThroughPage(explore[0].down);
    const exploreVote = await sql.query('SELECT source FROM paper_votes WHERE "paperId" = $1', [explore[0].paperId]);
    expect(exploreVote.rows).toEqual([{ source: 'explore' }]);
  }, 300_000);
});

/**
 * Serves each date's fixture papers as Hugging Face's `GET /api/daily_papers` does (paged), listed a
 * minute apart from `from`.
 */
async function startRankingHfStandIn(
  days: Record<string, { papers: RankingPaper[]; from: number }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const day = days[url.searchParams.get('date') ?? ''] ?? { papers: [], from: 0 };
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 100);
    const page = Number(url.searchParams.get('p') ?? 0);
    const entries = day.papers.map((paper, index) => {
      const listedAt = new Date(day.from + index * 60_000).toISOString();
      return {
        paper: {
          id: arxivIdOf(paper),
          authors: paper.authors.map((name) => ({ name, hidden: false })),
          publishedAt: listedAt,
          title: paper.title,
          summary: paper.abstract,
          upvotes: paper.upvotes,
        },
        publishedAt: listedAt,
        title: paper.title,
        numComments: 0,
      };
    });
    res.writeHead(url.pathname === '/api/daily_papers' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(entries.slice(page * limit, (page + 1) * limit)));
  });
  const base = await listen(server);
  return { url: `${base}/api/daily_papers`, close: () => close(server) };
}
