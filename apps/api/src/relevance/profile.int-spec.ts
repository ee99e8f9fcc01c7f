import { Job, UnrecoverableError, Worker } from 'bullmq';
import { Client } from 'pg';
import { Response } from 'supertest';
import { ProfileRepository, RelevanceRepository } from '@libs/database';
import { signToken } from '@libs/domain';
import { ApiApp, insertFeaturedPapers, insertPapers, startApiApp } from '../../../../test/support/api-app';
import { testInstant } from '../../../../test/support/test-clock';

const SECRET = 'profile-int-secret-0123456789abcdef';
const PUBLIC_URL = 'http://127.0.0.1';

interface Manage {
  id: string;
  token: string;
}

/**
 * Seed papers on the forms and the API, unknown seeds looked up on arXiv, "My profile", its reset, and
 * "delete my data", against real Postgres and Redis.
 */
describe('subscriber profile (integration)', () => {
  let api: ApiApp;
  let sql: Client;
  const ids: Record<string, string> = {};

  const PAPERS = {
    kvQuant: {
      arxivId: '2410.20001',
      title: 'KV cache quantization for long-context LLM inference',
      abstract: 'We quantize the KV cache of large language models to 2 bits, cutting inference memory.',
      authors: ['Jane Doe'],
    },
    kvEvict: {
      arxivId: '2410.20002',
      doi: '10.1000/kv-evict',
      title: 'Evicting KV cache entries for long-context inference',
      abstract: 'An eviction policy keeps the KV cache of long-context inference small.',
    },
    diffusion: {
      arxivId: '2410.20003',
      title: 'Few-step diffusion distillation for image synthesis',
      abstract: 'We distill a diffusion model into a four-step image generator with adversarial training.',
    },
    robots: {
      arxivId: '2410.20004',
      title: 'Quadruped locomotion from teacher-student distillation',
      abstract: 'A robot learns to walk over rough terrain with reinforcement learning in simulation.',
    },
  };

  beforeAll(async () => {
    api = await startApiApp('profile', { APP_SECRET: SECRET, PUBLIC_URL, SUBSCRIBE_RATE_LIMIT: '10000' });
    sql = api.sql;
    Object.assign(ids, await insertFeaturedPapers(api, PAPERS));
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const q = (manage: Manage): string => `id=${manage.id}&token=${encodeURIComponent(manage.token)}`;
  const api_ = (manage: Manage, path = ''): string =>
    `/api/subscriptions/${manage.id}${path}?token=${encodeURIComponent(manage.token)}`;
  const manageOf = (url: string): Manage => {
    const link = new URL(url, PUBLIC_URL);
    return { id: link.searchParams.get('id') as string, token: link.searchParams.get('token') as string };
  };
  /** A feed-only subscription (active at once) and its manage link; the answer too. */
  const subscribe = async (body: object = { topics: ['llm'] }): Promise<Manage & { body: Record<string, unknown> }> => {
    const response = await http().post('/api/subscriptions').send(body);
    expect(response.status).toBe(202);
    const answer = response.body as Record<string, unknown>;
    return { ...manageOf(answer.manageUrl as string), body: answer };
  };
  const vote = async (manage: Manage, paper: string, value: 'up' | 'down'): Promise<void> => {
    expect((await http().post(api_(manage, '/feedback')).send({ paper, vote: value })).status).toBe(200);
  };
  const voteRows = async (subscriptionId: string) =>
    (
      await sql.query<{ paperId: string; vote: string; source: string }>(
        `SELECT "paperId", "vote", "source" FROM "paper_votes" WHERE "subscriptionId" = $1 ORDER BY "paperId"`,
        [subscriptionId],
      )
    ).rows;
  const count = async (table: string, subscriptionId: string): Promise<number> =>
    (
      await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "subscriptionId" = $1`, [
        subscriptionId,
      ])
    ).rows[0].n;
  const messagesOf = (response: Response): string[] =>
    [(response.body as { message: string | string[] }).message].flat();
  /** A model as the trainer would store it: liked KV-cache papers, a disliked diffusion paper. */
  const storeModel = (subscriptionId: string): Promise<void> =>
    api.app.get(RelevanceRepository).saveModel(
      subscriptionId,
      {
        terms: ['kv cach', 'quantization', 'diffusion', 'robot'],
        weights: Float32Array.from([0.6, 0.3, -0.5, -0.2]),
        liked: 2,
        disliked: 1,
      },
      testInstant(),
    );
  const withArxivSource = async <T>(work: () => Promise<T>): Promise<T> => {
    await sql.query(
      `INSERT INTO sources (id, kind, url, schedule, timezone) VALUES ('arxiv-api-test', 'arxiv-api', 'http://arxiv.test/api/query', '0 6 * * *', 'UTC')`,
    );
    try {
      return await work();
    } finally {
      await sql.query(`DELETE FROM sources WHERE id = 'arxiv-api-test'`);
    }
  };
  const lookupJobs = async () =>
    (await api.queue('fetch').getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (job) => job.name === 'SourceLookup',
    );

  describe('seedPapers on POST and PATCH /api/subscriptions', () => {
    it('stores known papers as seeds and names the unknown ones when no arxiv-api source is configured', async () => {
      const manage = await subscribe({
        topics: ['llm'],
        seedPapers: ['2410.20001', 'https://doi.org/10.1000/KV-EVICT', '2410.29999'],
      });
      expect(manage.body.seeds).toEqual({
        added: 2,
        seeds: [
          { where: 'seedPapers[0]', paper: expect.objectContaining({ id: ids.kvQuant }) },
          { where: 'seedPapers[1]', paper: expect.objectContaining({ id: ids.kvEvict }) },
        ],
        lookingUp: [],
        notFound: [{ where: 'seedPapers[2]', id: '2410.29999' }],
        withoutIdentifier: [],
      });
      expect(await voteRows(manage.id)).toEqual(
        [ids.kvQuant, ids.kvEvict].sort().map((paperId) => ({ paperId, vote: 'up', source: 'seed' })),
      );
      expect(await count('pending_seeds', manage.id)).toBe(0);
    });

    it('looks an unknown arXiv id up through the arxiv-api source, and seeds it once the paper exists, once', async () => {
      const manage = await subscribe();
      const patched = await withArxivSource(() =>
        http()
          .patch(api_(manage))
          .send({ seedPapers: ['arXiv:2410.27777v2', '2410.20003'] }),
      );
      expect(patched.status).toBe(200);
      expect((patched.body as { seeds: unknown }).seeds).toMatchObject({
        added: 1,
        lookingUp: [{ where: 'seedPapers[0]', id: '2410.27777' }],
        notFound: [],
      });
      const jobs = (await lookupJobs()).filter((job) =>
        (job.data as { arxivIds: string[] }).arxivIds.includes('2410.27777'),
      );
      expect(jobs.map((job) => job.data)).toEqual([{ sourceId: 'arxiv-api-test', arxivIds: ['2410.27777'] }]);
      expect(await count('pending_seeds', manage.id)).toBe(1);

      // The lookup's paper arrives (as the classifier makes it); the classifier resolves pending seeds.
      const [found] = await insertPapers(sql, [
        {
          arxivId: '2410.27777',
          title: 'Paged attention for KV cache serving',
          abstract: 'Serving.',
          listedAt: '2026-11-30T10:00:00Z',
        },
      ]);
      const profiles = api.app.get(ProfileRepository);
      const expired = new Date(testInstant().getTime() - 7 * 24 * 3600 * 1000);
      expect(await profiles.resolvePendingSeeds(testInstant(), expired)).toContain(manage.id);
      expect(await profiles.resolvePendingSeeds(testInstant(), expired)).not.toContain(manage.id);
      expect(await voteRows(manage.id)).toEqual(
        [ids.diffusion, found].sort().map((paperId) => ({ paperId, vote: 'up', source: 'seed' })),
      );
      expect(await count('pending_seeds', manage.id)).toBe(0);
    });

    it('asks arXiv again for a seed sent again a day after its lookup failed for good', async () => {
      const manage = await subscribe();
      const seed = () =>
        withArxivSource(() =>
          http()
            .patch(api_(manage))
            .send({ seedPapers: ['2410.25555'] }),
        );
      const lookups = async () =>
        (await lookupJobs()).filter((job) => (job.data as { arxivIds: string[] }).arxivIds.includes('2410.25555'));
      expect((await seed()).status).toBe(200);
      expect(await lookups()).toHaveLength(1);

      // The fetcher takes the lookup and fails it for good (arXiv down past its retries); failed jobs are kept.
      const worker = new Worker('fetch', null, {
        connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
        prefix: api.prefix,
        autorun: false,
      });
      try {
        // Other tests' jobs taken on the way go back to waiting as they were.
        const others: Job[] = [];
        let ours: Job | undefined;
        while (!ours) {
          const job = (await worker.getNextJob('test-token')) as Job | undefined;
          if (!job) {
            throw new Error('The lookup of 2410.25555 was not queued');
          }
          const mine =
            job.name === 'SourceLookup' && (job.data as { arxivIds: string[] }).arxivIds.includes('2410.25555');
          if (mine) {
            ours = job;
          } else {
            others.push(job);
          }
        }
        await ours.moveToFailed(new UnrecoverableError('arXiv answered 503'), 'test-token', false);
        for (const other of others) {
          await other.moveToWait('test-token');
        }
      } finally {
        await worker.close();
      }
      expect(await lookups()).toHaveLength(0);

      // Sent again within the day: nothing asked. A day later: asked again, whatever became of the first lookup.
      expect((await seed()).status).toBe(200);
      expect(await lookups()).toHaveLength(0);
      await sql.query(
        `UPDATE pending_seeds SET "requestedAt" = "requestedAt" - interval '25 hours' WHERE "subscriptionId" = $1`,
        [manage.id],
      );
      expect((await seed()).status).toBe(200);
      expect((await lookups()).map((job) => job.data)).toEqual([
        { sourceId: 'arxiv-api-test', arxivIds: ['2410.25555'] },
      ]);
      // And sent again at once: the lookup is still waiting, no second one.
      await sql.query(
        `UPDATE pending_seeds SET "requestedAt" = "requestedAt" - interval '25 hours' WHERE "subscriptionId" = $1`,
        [manage.id],
      );
      expect((await seed()).status).toBe(200);
      expect(await lookups()).toHaveLength(1);
    });

    it('drops a pending seed nobody found within its time, and keeps a younger one', async () => {
      const manage = await subscribe();
      const profiles = api.app.get(ProfileRepository);
      const asked = testInstant();
      expect(await profiles.addPendingSeeds(manage.id, ['2410.26666'], asked)).toEqual(['2410.26666']);
      // Asked again within the day: nothing new to look up; a day later, asked of arXiv again.
      const later = new Date(asked.getTime() + 1000);
      expect(await profiles.addPendingSeeds(manage.id, ['2410.26666'], later, asked)).toEqual([]);
      expect(await profiles.addPendingSeeds(manage.id, ['2410.26666'], asked, later)).toEqual(['2410.26666']);
      await profiles.resolvePendingSeeds(asked, new Date(asked.getTime() - 1));
      expect(await count('pending_seeds', manage.id)).toBe(1);
      await profiles.resolvePendingSeeds(asked, new Date(asked.getTime() + 1));
      expect(await count('pending_seeds', manage.id)).toBe(0);
      expect(await voteRows(manage.id)).toEqual([]);
    });

    it('answers 400 naming a seed that names no paper, and stores nothing', async () => {
      const before = (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n;
      const refused = await http()
        .post('/api/subscriptions')
        .send({ topics: ['llm'], seedPapers: ['2410.20001', 'my favourite paper'] });
      expect(refused.status).toBe(400);
      expect(messagesOf(refused)).toEqual([
        'seedPapers[1] "my favourite paper" is not an arXiv id, DOI, or arXiv, Hugging Face or DOI URL',
      ]);
      expect((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n).toBe(before);

      const manage = await subscribe();
      const patched = await http()
        .patch(api_(manage))
        .send({ seedPapers: ['2410.20001', 'nope'], maxPapers: 5 });
      expect(patched.status).toBe(400);
      expect(await voteRows(manage.id)).toEqual([]);
    });
  });

  describe('the web forms', () => {
    const BAD_BIBTEX = `@article{good2024,
  title = {KV cache},
  eprint = {2410.20001},
  archivePrefix = {arXiv}
}
@article{broken2024,
  title = {Missing its closing brace},
  eprint = 2410.20002 junk
}
`;

    it('refuses a subscribe form whose BibTeX file has a bad entry with a 400 page naming it, storing nothing', async () => {
      const before = (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n;
      const response = await http()
        .post('/subscribe')
        .set('accept', 'text/html')
        .field('topics', 'llm')
        .field('seedPapers', '2410.20003')
        .attach('seedFile', Buffer.from(BAD_BIBTEX), 'library.bib');
      expect(response.status).toBe(400);
      expect(response.text).toContain(
        'library.bib: entry broken2024 (line 6): expected a comma after the value of eprint',
      );
      expect(response.text).toContain('no seed was stored');
      // The pasted ids come back as typed.
      expect(response.text).toMatch(/<textarea id="seedPapers"[^>]*>2410.20003<\/textarea>/);
      expect((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n).toBe(before);
    });

    it('subscribes with pasted ids and a Zotero CSL JSON file, and says what became of each', async () => {
      const csl = JSON.stringify([
        { id: 'doe2024', DOI: '10.1000/kv-evict' },
        { id: 'book', title: 'A book without identifiers' },
        { id: 'unknown', URL: 'https://arxiv.org/abs/2410.25555' },
      ]);
      const response = await http()
        .post('/subscribe')
        .field('topics', 'llm')
        .field('topics', 'agents')
        .field('slackWebhookUrl', '')
        .field('email', '')
        .field('seedPapers', '2410.20001\n')
        .field('followedAuthors', 'Jane Doe\n')
        .attach('seedFile', Buffer.from(csl), 'My Library.json');
      expect(response.status).toBe(200);
      expect(response.text).toContain('2 seed papers added.');
      expect(response.text).toContain('Not found: 2410.25555 (My Library.json: item 3 (unknown)).');
      expect(response.text).toContain('Without an arXiv id or DOI, so left out: My Library.json: item 2 (book).');
      const manage = manageOf(
        /href="([^"]*\/manage\?[^"]*)"/
          .exec(response.text)?.[1]
          ?.replace(/&amp;/g, '&')
          .replace(/&#x3D;/g, '=') ?? '',
      );
      expect(await voteRows(manage.id)).toEqual(
        [ids.kvQuant, ids.kvEvict].sort().map((paperId) => ({ paperId, vote: 'up', source: 'seed' })),
      );
      const row = await sql.query<{ followedAuthors: string[]; topics: string[] }>(
        'SELECT "followedAuthors", topics FROM subscriptions WHERE id = $1',
        [manage.id],
      );
      // Repeated multipart fields (checkboxes) arrive as lists, as urlencoded ones do.
      expect(row.rows[0]).toEqual({ followedAuthors: ['Jane Doe'], topics: ['llm', 'agents'] });
    });

    it('adds seeds from the manage page, refusing a malformed RIS file whole', async () => {
      const manage = await subscribe();
      const bad = await http()
        .post(`/manage?${q(manage)}`)
        .field('intent', 'seeds')
        .attach(
          'seedFile',
          Buffer.from('TY  - JOUR\nDO  - 10.1000/kv-evict\nER  - \nTY  - JOUR\nnot a ris line\n'),
          'export.ris',
        );
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('export.ris: line 5: &quot;not a ris line&quot; is not a RIS line');
      expect(await voteRows(manage.id)).toEqual([]);

      const good = await http()
        .post(`/manage?${q(manage)}`)
        .field('intent', 'seeds')
        .attach('seedFile', Buffer.from('TY  - JOUR\nDO  - 10.1000/kv-evict\nER  - \n'), 'export.ris');
      expect(good.status).toBe(200);
      expect(good.text).toContain('1 seed paper added.');
      expect(await voteRows(manage.id)).toEqual([{ paperId: ids.kvEvict, vote: 'up', source: 'seed' }]);
    });

    it('answers 413 to a file over 2 MB and stores nothing', async () => {
      const manage = await subscribe();
      const big = Buffer.alloc(2 * 1024 * 1024 + 1, '2410.20001\n');
      const response = await http()
        .post(`/manage?${q(manage)}`)
        .set('accept', 'text/html')
        .field('intent', 'seeds')
        .attach('seedFile', big, 'ids.txt');
      expect(response.status).toBe(413);
      expect(response.text).toContain('Too large');
      expect(await voteRows(manage.id)).toEqual([]);
    });

    it('checks multipart fields as the request checks check urlencoded ones: a NUL is a 400 naming the field', async () => {
      const manage = await subscribe();
      const response = await http()
        .post(`/manage?${q(manage)}`)
        .set('accept', 'text/html')
        .field('topics', 'llm')
        .field('followedAuthors', 'Jane\u0000Doe');
      expect(response.status).toBe(400);
      expect(response.text).toContain('followedAuthors must not contain a NUL character');
      expect((await http().get(api_(manage))).body).toMatchObject({ followedAuthors: [] });
    });

    it('edits followed authors on the manage page and links to the profile', async () => {
      const manage = await subscribe();
      const page = await http().get(`/manage?${q(manage)}`);
      expect(page.text).toContain(`href="/profile?${q(manage).replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}"`);
      const saved = await http()
        .post(`/manage?${q(manage)}`)
        .type('form')
        .send({
          topics: 'llm',
          frequency: 'daily',
          weekday: '1',
          timezone: 'UTC',
          sendHour: '8',
          maxPapers: '20',
          minUpvotes: '0',
          keywords: '',
          followedAuthors: 'Jane Doe\r\nGeoffrey Hinton',
        });
      expect(saved.status).toBe(200);
      expect((await http().get(api_(manage))).body).toMatchObject({ followedAuthors: ['Jane Doe', 'Geoffrey Hinton'] });
    });
  });

  describe('My profile', () => {
    /** A subscriber who liked the two KV-cache papers, disliked the diffusion one, and has a model. */
    const profiled = async (): Promise<Manage> => {
      const manage = await subscribe({ topics: ['llm'], followedAuthors: ['Jane Doe', 'Ada Lovelace'] });
      await vote(manage, '2410.20001', 'up');
      await vote(manage, '2410.20002', 'up');
      await vote(manage, '2410.20003', 'down');
      await storeModel(manage.id);
      await api.app.get(ProfileRepository).addPendingSeeds(manage.id, ['2410.28888'], testInstant());
      return manage;
    };
    const post = (manage: Manage, form: Record<string, string>) =>
      http()
        .post(`/profile?${q(manage)}`)
        .type('form')
        .send(form);

    it('lists liked and disliked papers, followed authors, pending seeds and the terms for and against', async () => {
      const manage = await profiled();
      const page = await http().get(`/profile?${q(manage)}`);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('private, no-store');
      const liked = page.text.slice(
        page.text.indexOf('id="liked-heading"'),
        page.text.indexOf('id="disliked-heading"'),
      );
      const disliked = page.text.slice(
        page.text.indexOf('id="disliked-heading"'),
        page.text.indexOf('id="authors-heading"'),
      );
      expect(liked).toContain('Papers you liked (2)');
      expect(liked).toContain(PAPERS.kvQuant.title);
      expect(liked).toContain(PAPERS.kvEvict.title);
      expect(liked).toContain('2410.28888');
      expect(disliked).toContain(PAPERS.diffusion.title);
      expect(disliked).not.toContain(PAPERS.kvQuant.title);
      const terms = page.text.slice(page.text.indexOf('id="terms-heading"'), page.text.indexOf('id="liked-heading"'));
      // As the papers spell them, with the votes behind; "robot" has no vote of theirs behind it.
      expect(terms).toMatch(/KV cache <span class="muted small">\(2 liked papers\)/);
      expect(terms).toMatch(/quantization <span class="muted small">\(1 liked paper\)/);
      expect(terms).toMatch(/diffusion <span class="muted small">\(1 disliked paper\)/);
      expect(terms).not.toContain('robot');
      expect(page.text).toContain('Ada Lovelace');

      const answer = await http().get(api_(manage, '/profile'));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        followedAuthors: ['Jane Doe', 'Ada Lovelace'],
        pendingSeeds: [{ arxivId: '2410.28888' }],
        terms: {
          liked: [
            { term: 'kv cach', label: 'KV cache', paperIds: expect.arrayContaining([ids.kvQuant, ids.kvEvict]) },
            { term: 'quantization', paperIds: [ids.kvQuant] },
          ],
          disliked: [{ term: 'diffusion', paperIds: [ids.diffusion] }],
        },
      });
    });

    it('removes a term by taking back the votes behind it, a paper, and a followed author', async () => {
      const manage = await profiled();
      const term = await post(manage, { intent: 'remove-term', direction: 'liked', term: 'kv cach' });
      expect(term.status).toBe(200);
      expect(term.text).toContain('Took back 2 votes behind');
      expect(await voteRows(manage.id)).toEqual([{ paperId: ids.diffusion, vote: 'down', source: 'site' }]);
      // The model is trained again off the request path.
      const training = (await api.queue('classify').getJobs(['delayed', 'waiting'])).filter(
        (job) => job.name === 'RelevanceTrain' && (job.data as { subscriptionId: string }).subscriptionId === manage.id,
      );
      expect(training).toHaveLength(1);

      const paper = await post(manage, { intent: 'remove-vote', paper: ids.diffusion });
      expect(paper.status).toBe(200);
      expect(await voteRows(manage.id)).toEqual([]);

      const author = await post(manage, { intent: 'remove-author', author: 'Jane Doe' });
      expect(author.status).toBe(200);
      expect(author.text).toContain('You no longer follow Jane Doe.');
      expect((await http().get(api_(manage))).body).toMatchObject({ followedAuthors: ['Ada Lovelace'] });
    });

    it('resets votes, seeds and model after a confirmation step, on the page and through the API', async () => {
      const manage = await profiled();
      const asked = await post(manage, { intent: 'reset' });
      expect(asked.status).toBe(200);
      expect(asked.text).toContain('Reset your profile?');
      expect(await count('paper_votes', manage.id)).toBe(3);

      const reset = await post(manage, { intent: 'reset-confirmed' });
      expect(reset.status).toBe(200);
      expect(reset.text).toContain('Your profile was reset');
      expect(reset.text).toContain('Papers you liked (0)');
      for (const table of ['paper_votes', 'pending_seeds', 'subscriber_models']) {
        expect(await count(table, manage.id)).toBe(0);
      }
      expect((await http().get(api_(manage))).body).toMatchObject({ followedAuthors: ['Jane Doe', 'Ada Lovelace'] });

      const other = await profiled();
      const deleted = await http().delete(api_(other, '/feedback'));
      expect(deleted.status).toBe(204);
      for (const table of ['paper_votes', 'pending_seeds', 'subscriber_models']) {
        expect(await count(table, other.id)).toBe(0);
      }
    });

    it('answers 400 naming the problem to an action the page has no button for, changing nothing', async () => {
      const manage = await profiled();
      const unknown = await post(manage, { intent: 'remove-everything' });
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain('Unknown action: use the buttons of the profile page.');
      expect(await count('paper_votes', manage.id)).toBe(3);
    });

    it("answers 404 to another subscription's token and changes nothing", async () => {
      const manage = await profiled();
      const stranger = await subscribe();
      const foreign = { id: manage.id, token: stranger.token };
      expect((await http().get(`/profile?${q(foreign)}`)).status).toBe(404);
      expect((await post(foreign, { intent: 'reset-confirmed' })).status).toBe(404);
      expect((await post(foreign, { intent: 'remove-vote', paper: ids.kvQuant })).status).toBe(404);
      expect((await http().delete(api_(foreign, '/feedback'))).status).toBe(404);
      expect((await http().get(api_(foreign, '/profile'))).status).toBe(404);
      expect((await http().delete(`${api_(foreign)}&erase=true`)).status).toBe(404);
      expect(await count('paper_votes', manage.id)).toBe(3);
      expect(await count('subscriber_models', manage.id)).toBe(1);
    });
  });

  describe('delete my data', () => {
    /** Every table with a subscriptionId column, and the deliveries of the subscription's digests. */
    const everything = async (subscriptionId: string, digestIds: string[]): Promise<Record<string, number>> => {
      // Found in the schema, so a table added later is checked too: every table with a subscriptionId column
      // (with or without a foreign key), and every table referencing a digest, by its referencing column.
      const bySubscription = await sql.query<{ table: string }>(
        `SELECT table_name AS "table" FROM information_schema.columns
          WHERE table_schema = 'public' AND column_name = 'subscriptionId' ORDER BY table_name`,
      );
      const byDigest = await sql.query<{ table: string; column: string }>(
        `SELECT c.conrelid::regclass::text AS "table", a.attname AS "column"
           FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
          WHERE c.contype = 'f' AND c.confrelid = 'digests'::regclass ORDER BY 1`,
      );
      const counts: Record<string, number> = {
        subscriptions: (
          await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions WHERE id = $1', [subscriptionId])
        ).rows[0].n,
      };
      for (const { table, column } of byDigest.rows) {
        counts[`${table} by digest`] = (
          await sql.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${table} WHERE "${column}" = ANY($1::uuid[])`,
            [digestIds],
          )
        ).rows[0].n;
      }
      for (const { table } of bySubscription.rows) {
        counts[table] = await count(table, subscriptionId);
      }
      return counts;
    };
    /** A subscriber with votes, a model, a pending seed, and a digest sent by email (the ledger). */
    const withHistory = async (email: string): Promise<{ manage: Manage; digestIds: string[] }> => {
      const manage = await subscribe({ topics: ['llm'], slackWebhookUrl: 'https://hooks.slack.com/services/T1/B1/x' });
      await sql.query('UPDATE subscriptions SET email = $2 WHERE id = $1', [manage.id, email]);
      await vote(manage, '2410.20001', 'up');
      await vote(manage, '2410.20003', 'down');
      await storeModel(manage.id);
      await api.app.get(ProfileRepository).addPendingSeeds(manage.id, ['2410.28888'], testInstant());
      const digest = await sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount") VALUES ($1, '2026-12-01', $2, 'sent', 1) RETURNING id`,
        [manage.id, testInstant()],
      );
      const digestId = digest.rows[0].id;
      await sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $2, $3, 1)`,
        [digestId, ids.kvQuant, manage.id],
      );
      await sql.query(
        `INSERT INTO deliveries ("digestId", channel, status, attempts, "providerResponse") VALUES ($1, 'email', 'sent', 1, $2)`,
        [digestId, `250 OK queued for <${email}>`],
      );
      await sql.query(
        `INSERT INTO mail_events (provider, "eventId", kind, email, reason, "receivedAt") VALUES ('sendgrid', $1, 'hard-bounce', $1, 'mailbox full', $2)`,
        [email, testInstant()],
      );
      return { manage, digestIds: [digestId] };
    };

    it('erases the subscription and everything of it with DELETE ?erase=true, and leaves others alone', async () => {
      const { manage, digestIds } = await withHistory('erase-me@example.org');
      const other = await withHistory('keep-me@example.org');
      const before = await everything(manage.id, digestIds);
      expect(Object.values(before).every((n) => n > 0)).toBe(true);
      expect(Object.keys(before)).toEqual(
        expect.arrayContaining([
          'subscriptions',
          'deliveries by digest',
          'digest_papers by digest',
          'digests',
          'digest_papers',
          'paper_votes',
          'subscriber_models',
          'pending_seeds',
        ]),
      );

      expect((await http().delete(`${api_(manage)}&erase=maybe`)).status).toBe(400);
      expect((await http().delete(`${api_(manage)}&erase=true`)).status).toBe(204);

      expect(Object.values(await everything(manage.id, digestIds)).every((n) => n === 0)).toBe(true);
      // The address is nowhere any more: not in a subscription, a delivery's answer or a provider's event.
      const mentions = await sql.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM subscriptions WHERE email = 'erase-me@example.org')
              + (SELECT count(*) FROM deliveries WHERE "providerResponse" LIKE '%erase-me@%')
              + (SELECT count(*) FROM mail_events WHERE email = 'erase-me@example.org') AS n`,
      );
      expect(Number(mentions.rows[0].n)).toBe(0);
      expect(
        (await sql.query('SELECT 1 FROM mail_events WHERE email = $1', ['keep-me@example.org'])).rows,
      ).toHaveLength(1);
      expect(Object.values(await everything(other.manage.id, other.digestIds)).every((n) => n > 0)).toBe(true);
      // Its links no longer work.
      expect((await http().get(api_(manage))).status).toBe(404);
      expect((await http().delete(`${api_(manage)}&erase=true`)).status).toBe(404);
    });

    it("keeps a provider's events about an address while another subscription still uses it", async () => {
      const first = await withHistory('shared@example.org');
      const second = await subscribe({ topics: ['llm'] });
      await sql.query('UPDATE subscriptions SET email = $2 WHERE id = $1', [second.id, 'shared@example.org']);
      const events = async (): Promise<number> =>
        (await sql.query('SELECT 1 FROM mail_events WHERE email = $1', ['shared@example.org'])).rows.length;
      expect((await http().delete(`${api_(first.manage)}&erase=true`)).status).toBe(204);
      expect(await events()).toBe(1);
      expect((await http().delete(`${api_(second)}&erase=true`)).status).toBe(204);
      expect(await events()).toBe(0);
    });

    it('keeps votes, seeds and model on a plain unsubscribe, and erases from the unsubscribe page button', async () => {
      const { manage, digestIds } = await withHistory('unsub-keep@example.org');
      expect((await http().delete(api_(manage))).status).toBe(204);
      const kept = await everything(manage.id, digestIds);
      expect(kept).toMatchObject({
        subscriptions: 1,
        paper_votes: 2,
        subscriber_models: 1,
        pending_seeds: 1,
        digest_papers: 1,
      });

      const token = signToken(SECRET, 'unsubscribe', manage.id, api.now());
      const page = await http().get(`/unsubscribe?token=${encodeURIComponent(token)}`);
      expect(page.text).toContain('Unsubscribe and delete my data');
      const erased = await http()
        .post(`/unsubscribe?token=${encodeURIComponent(token)}`)
        .type('form')
        .send({ erase: 'true' });
      expect(erased.status).toBe(200);
      expect(erased.text).toContain('Your data is deleted');
      expect(Object.values(await everything(manage.id, digestIds)).every((n) => n === 0)).toBe(true);
    });

    it('erases from the manage page button', async () => {
      const { manage, digestIds } = await withHistory('manage-erase@example.org');
      const page = await http().get(`/manage?${q(manage)}`);
      expect(page.text).toContain('Unsubscribe and delete my data');
      const erased = await http()
        .post(`/manage?${q(manage)}`)
        .type('form')
        .send({ intent: 'erase' });
      expect(erased.status).toBe(200);
      expect(erased.text).toContain('Your data is deleted');
      expect(Object.values(await everything(manage.id, digestIds)).every((n) => n === 0)).toBe(true);
    });
  });

  it('documents the profile, reset, erase and seedPapers in OpenAPI', async () => {
    const spec = await http().get('/api/docs/openapi.json');
    expect(spec.status).toBe(200);
    const doc = spec.body as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths['/api/subscriptions/{id}/feedback'])).toEqual(
      expect.arrayContaining(['get', 'post', 'delete']),
    );
    expect(doc.paths['/api/subscriptions/{id}/profile']).toHaveProperty('get');
    expect(doc.paths['/api/subscriptions/{id}'].delete.parameters?.map((p) => p.name)).toContain('erase');
    expect(doc.components.schemas.CreateSubscriptionDto.properties).toHaveProperty('seedPapers');
    expect(doc.components.schemas.UpdateSubscriptionDto.properties).toHaveProperty('seedPapers');
  });
});
