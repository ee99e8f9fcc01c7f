import { Client } from 'pg';
import { signToken, signVoteToken, VoteChoice } from '@libs/domain';
import { ApiApp, insertPapers, startApiApp } from '../../../../test/support/api-app';
import { testInstant } from '../../../../test/support/test-clock';

const SECRET = 'vote-links-int-secret-0123456789abcdef';
const PUBLIC_URL = 'http://127.0.0.1';

/** The vote routes under hostile and unusual requests, against real Postgres and Redis. */
describe('vote links (integration)', () => {
  let api: ApiApp;
  let sql: Client;
  let paperId: string;
  let otherPaperId: string;
  let subscriptionId: string;
  let otherSubscriptionId: string;
  const now = testInstant();

  beforeAll(async () => {
    api = await startApiApp('vote-links', { APP_SECRET: SECRET, PUBLIC_URL, SUBSCRIBE_RATE_LIMIT: '10000' });
    sql = api.sql;
    [paperId, otherPaperId] = await insertPapers(sql, [
      { arxivId: '2411.00001', title: 'A paper to vote on', abstract: 'Votes.', listedAt: '2026-11-17T10:00:00Z' },
      { arxivId: '2411.00002', title: 'Its duplicate', abstract: 'Votes again.', listedAt: '2026-11-17T10:00:00Z' },
    ]);
    subscriptionId = await subscribe();
    otherSubscriptionId = await subscribe();
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const subscribe = async (): Promise<string> => {
    const response = await http()
      .post('/api/subscriptions')
      .send({ topics: ['llm'] });
    expect(response.status).toBe(202);
    return new URL((response.body as { manageUrl: string }).manageUrl).searchParams.get('id') as string;
  };
  const vote = (vote: VoteChoice = 'up', paper = paperId, subscription = subscriptionId): string =>
    signVoteToken(SECRET, { id: subscription, linkVersion: 0 }, { paperId: paper, vote, source: 'digest' }, now);
  const votes = async (): Promise<number> => (await sql.query('SELECT 1 FROM paper_votes')).rowCount ?? 0;
  const post = (token: unknown) => http().post('/vote').type('form').send({ token });

  afterEach(() => sql.query('DELETE FROM paper_votes'));

  it('should record nothing on GET or HEAD, whatever the query string says', async () => {
    const token = vote();
    for (const path of [
      `/vote/${token}`,
      `/vote/${token}?token=${token}`,
      `/vote/${token}?confirm=1&vote=up&token[]=x`,
      `/vote/${token}?${'a=%00&'.repeat(3)}`,
      `/vote?token=${token}`,
    ]) {
      const got = await http().get(path);
      expect({ path, status: got.status < 500 }).toEqual({ path, status: true });
      const head = await http().head(path);
      expect({ path, status: head.status < 500 }).toEqual({ path, status: true });
    }
    expect(await votes()).toBe(0);
    // The token genuine, the route records once pressed.
    expect((await post(token)).status).toBe(200);
    expect(await votes()).toBe(1);
  });

  it('should refuse tokens of another purpose, and a vote token can name only its own paper and subscription', async () => {
    const genuine = vote();
    const [subject, iat] = genuine.split('.');
    for (const purpose of ['manage', 'feed', 'unsubscribe', 'digest', 'confirm'] as const) {
      // The vote's own subject, signed for another purpose; and the purpose's usual subject (the subscription id).
      for (const bad of [signToken(SECRET, purpose, subject, now), signToken(SECRET, purpose, subscriptionId, now)]) {
        expect({ purpose, status: (await post(bad)).status }).toEqual({ purpose, status: 404 });
        expect({ purpose, status: (await http().get(`/vote/${bad}`)).status }).toEqual({ purpose, status: 404 });
      }
    }
    // Another paper's or subscription's subject with this token's signature.
    const [otherPaper] = vote('up', otherPaperId).split('.');
    const [otherSubscription] = vote('up', paperId, otherSubscriptionId).split('.');
    const signature = genuine.split('.')[2];
    for (const bad of [`${otherPaper}.${iat}.${signature}`, `${otherSubscription}.${iat}.${signature}`]) {
      expect((await post(bad)).status).toBe(404);
    }
    // Signed with another secret.
    expect(
      (
        await post(
          signVoteToken(
            `${SECRET}x`,
            { id: subscriptionId, linkVersion: 0 },
            {
              paperId,
              vote: 'up',
              source: 'digest',
            },
            now,
          ),
        )
      ).status,
    ).toBe(404);
    expect(await votes()).toBe(0);
  });

  it('should answer 4xx, never 5xx, to hostile tokens, recording nothing', async () => {
    const genuine = vote();
    const [subject, iat, signature] = genuine.split('.');
    const hostile: unknown[] = [
      `${subject.slice(0, -3)}!!!.${iat}.${signature}`,
      `${subject}.${iat}.${signature}=`,
      `${subject}.${iat}.${Buffer.from('tampered').toString('base64')}`,
      `${subject}.zzzzzzzzzzzzzzzzzzzz.${signature}`,
      `${subject}.${iat}.${signature}.extra`,
      `${'A'.repeat(22)}${'_'.repeat(22)}ud.${iat}.${signature}`,
      `${subject}\u0000.${iat}.${signature}`,
      'x'.repeat(60_000),
      '',
      ['a', 'b'],
      { token: genuine },
      42,
    ];
    for (const token of hostile) {
      const status = (await post(token)).status;
      const json = (await http().post('/vote').set('accept', 'application/json').send({ token })).status;
      expect({ token, status, json }).toEqual({ token, status: expect.any(Number), json: expect.any(Number) });
      expect([status, json].every((code) => code >= 400 && code < 500)).toBe(true);
    }
    for (const token of hostile.filter((token): token is string => typeof token === 'string' && token !== '')) {
      const status = (await http().get(`/vote/${encodeURIComponent(token.slice(0, 8000))}`)).status;
      expect({ token: token.slice(0, 80), status: status >= 400 && status < 500 }).toEqual({
        token: token.slice(0, 80),
        status: true,
      });
    }
    // Bodies no form of ours sends: malformed JSON, repeated and nested fields, a prototype key, over the size limit.
    const raw: [string, string][] = [
      ['application/json', '{"token": '],
      ['application/x-www-form-urlencoded', `token=${genuine}&token=${genuine}`],
      ['application/x-www-form-urlencoded', `${'token'}${'[a]'.repeat(40)}=x`],
      ['application/json', `{"__proto__": {"token": "${genuine}"}}`],
      ['application/x-www-form-urlencoded', `token=${'x'.repeat(2_000_000)}`],
    ];
    for (const [type, body] of raw) {
      const status = (await http().post('/vote').set('content-type', type).send(body)).status;
      expect({ body: body.slice(0, 60), status: status >= 400 && status < 500 }).toEqual({
        body: body.slice(0, 60),
        status: true,
      });
    }
    expect(await votes()).toBe(0);
  });

  it('should answer 404 for an unknown paper and for one merged away since, recording nothing', async () => {
    const unknown = vote('up', '00000000-0000-4000-8000-000000000000');
    expect((await post(unknown)).status).toBe(404);
    expect((await http().get(`/vote/${unknown}`)).status).toBe(404);
    const [merged] = await insertPapers(sql, [
      { arxivId: '2411.00003', title: 'Merged away', abstract: 'Gone.', listedAt: '2026-11-17T10:00:00Z' },
    ]);
    const link = vote('down', merged);
    expect((await http().get(`/vote/${link}`)).status).toBe(200);
    await sql.query('DELETE FROM papers WHERE id = $1', [merged]);
    const page = await http().get(`/vote/${link}`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('This link is not valid');
    expect((await post(link)).status).toBe(404);
    expect(await votes()).toBe(0);
  });

  it('should answer 404, not 500, when the paper is merged away between reading the link and recording', async () => {
    const [racing] = await insertPapers(sql, [
      { arxivId: '2411.00004', title: 'Merged mid-vote', abstract: 'Gone.', listedAt: '2026-11-17T10:00:00Z' },
    ]);
    // A merge as the fetcher makes it: the papers locked FOR UPDATE, then the duplicate deleted, in one transaction.
    const merge = new Client({ connectionString: api.database.url });
    await merge.connect();
    try {
      await merge.query('BEGIN');
      await merge.query('SELECT id FROM papers WHERE id = $1 FOR UPDATE', [racing]);
      let settled = false;
      const cast = post(vote('up', racing)).then((response) => {
        settled = true;
        return response;
      });
      // The vote reaches the paper's lock and waits for the merge (an event: the row lock shows in
      // pg_stat_activity), or, taking no lock, is answered before the merge ends.
      while (!settled) {
        const waiting = await sql.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR KEY SHARE%'`,
        );
        if (waiting.rowCount) {
          break;
        }
      }
      await merge.query('DELETE FROM papers WHERE id = $1', [racing]);
      await merge.query('COMMIT');
      const page = await cast;
      expect(page.status).toBe(404);
      expect(page.text).toContain('This link is not valid');
    } finally {
      await merge.end();
    }
    // No vote left behind on a paper that is no more.
    expect(await votes()).toBe(0);
  });

  it("should refuse a vote form posted from another site, and take ours and a script's", async () => {
    const token = vote();
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }]) {
      const response = await http().post('/vote').set(headers).type('form').send({ token });
      expect(response.status).toBe(403);
      expect(response.text).toContain('Forms from other sites cannot record a vote');
    }
    expect(await votes()).toBe(0);
    for (const headers of [{ origin: 'null', 'sec-fetch-site': 'same-origin' }, {}]) {
      expect((await http().post('/vote').set(headers).type('form').send({ token })).status).toBe(200);
    }
    expect(await votes()).toBe(1);
  });
});
