import { Client } from 'pg';
import { Response } from 'supertest';
import { RelevanceRepository, VoteRepository } from '@libs/database';
import { trainRelevanceModel, TfIdfFeaturizer } from '@libs/domain';
import { ApiApp, insertFeaturedPapers, insertPapers, startApiApp } from '../../../../test/support/api-app';
import { testInstant } from '../../../../test/support/test-clock';

const SECRET = 'relevance-int-secret-0123456789abcdef';
const PUBLIC_URL = 'http://127.0.0.1';

interface Manage {
  id: string;
  token: string;
}

interface ErrorBody {
  message: string | string[];
}

/** Votes, the ranking mode and similar papers through the api, against real Postgres and Redis. */
describe('relevance api (integration)', () => {
  let api: ApiApp;
  let sql: Client;
  const ids: Record<string, string> = {};

  const PAPERS = {
    kvQuant: {
      arxivId: '2410.10001',
      doi: '10.1000/kv-quant',
      title: 'KV cache quantization for long-context LLM inference',
      abstract:
        'We quantize the KV cache of large language models to 2 bits, cutting inference memory for long contexts.',
    },
    kvEvict: {
      arxivId: '2410.10002',
      title: 'Evicting KV cache entries for long-context inference',
      abstract: 'An eviction policy keeps the KV cache of long-context inference small without quantization.',
    },
    weightQuant: {
      arxivId: '2410.10003',
      title: 'Weight quantization of large language models to 3 bits',
      abstract: 'Post-training quantization of LLM weights with outlier channels kept in higher precision.',
    },
    diffusion: {
      arxivId: '2410.10004',
      title: 'Few-step diffusion distillation for image synthesis',
      abstract: 'We distill a diffusion model into a four-step image generator with adversarial training.',
    },
    robots: {
      arxivId: '2410.10005',
      title: 'Quadruped locomotion from teacher-student distillation',
      abstract: 'A robot learns to walk over rough terrain with reinforcement learning in simulation.',
    },
  };

  beforeAll(async () => {
    api = await startApiApp('relevance', { APP_SECRET: SECRET, PUBLIC_URL, SUBSCRIBE_RATE_LIMIT: '10000' });
    sql = api.sql;
    Object.assign(ids, await insertFeaturedPapers(api, PAPERS));
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  /** A feed-only subscription (active at once) and the id and token of its manage link. */
  const subscribe = async (body: object = { topics: ['llm'] }): Promise<Manage> => {
    const response = await http().post('/api/subscriptions').send(body);
    expect(response.status).toBe(202);
    const link = new URL((response.body as { manageUrl: string }).manageUrl);
    return { id: link.searchParams.get('id') as string, token: link.searchParams.get('token') as string };
  };
  const vote = (manage: Manage, body: object): Promise<Response> =>
    http()
      .post(`/api/subscriptions/${manage.id}/feedback?token=${encodeURIComponent(manage.token)}`)
      .send(body);
  const votes = (manage: Manage): Promise<Response> =>
    http().get(`/api/subscriptions/${manage.id}/feedback?token=${encodeURIComponent(manage.token)}`);
  const view = async (manage: Manage): Promise<Record<string, unknown>> => {
    const response = await http().get(`/api/subscriptions/${manage.id}?token=${encodeURIComponent(manage.token)}`);
    expect(response.status).toBe(200);
    return response.body as Record<string, unknown>;
  };
  const voteRows = async (subscriptionId: string) =>
    (
      await sql.query<{ paperId: string; vote: string; source: string }>(
        `SELECT "paperId", "vote", "source" FROM "paper_votes" WHERE "subscriptionId" = $1 ORDER BY "paperId"`,
        [subscriptionId],
      )
    ).rows;
  const messagesOf = (response: Response): string[] => [(response.body as ErrorBody).message].flat();

  describe('POST and GET /api/subscriptions/:id/feedback', () => {
    it('records a vote by arXiv id, answers the stored vote, and keeps one row however often it is sent', async () => {
      const manage = await subscribe();
      const first = await vote(manage, { paper: '2410.10001', vote: 'up' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        paper: { id: ids.kvQuant, arxivId: '2410.10001', doi: '10.1000/kv-quant', title: PAPERS.kvQuant.title },
        vote: 'up',
        source: 'site',
      });
      const again = await vote(manage, { paper: 'arXiv:2410.10001v2', vote: 'up' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ vote: 'up', createdAt: (first.body as { createdAt: string }).createdAt });
      expect(await voteRows(manage.id)).toEqual([{ paperId: ids.kvQuant, vote: 'up', source: 'site' }]);
    });

    it("queues one training of the subscriber's model after a burst of votes", async () => {
      const manage = await subscribe();
      for (const paper of ['2410.10001', '2410.10002', '2410.10004']) {
        expect((await vote(manage, { paper, vote: 'up' })).status).toBe(200);
      }
      const jobs = (await api.queue('classify').getJobs(['delayed', 'waiting'])).filter(
        (job) => job.name === 'RelevanceTrain' && (job.data as { subscriptionId: string }).subscriptionId === manage.id,
      );
      expect(jobs).toHaveLength(1);
    });

    it('lets the last vote win, takes a vote back with "none", and lists votes latest first', async () => {
      const manage = await subscribe();
      expect((await vote(manage, { paper: 'https://arxiv.org/abs/2410.10001v1', vote: 'up' })).status).toBe(200);
      expect(
        (await vote(manage, { paper: 'https://huggingface.co/papers/2410.10004', vote: 'down', source: 'digest' }))
          .status,
      ).toBe(200);
      expect((await vote(manage, { paper: ids.kvEvict, vote: 'up', source: 'explore' })).status).toBe(200);
      const changed = await vote(manage, { paper: 'https://doi.org/10.1000/KV-QUANT', vote: 'down' });
      expect(changed.body).toMatchObject({ paper: { id: ids.kvQuant }, vote: 'down' });

      const listed = await votes(manage);
      expect(listed.status).toBe(200);
      expect(
        (listed.body as { items: { paper: { id: string }; vote: string; source: string }[] }).items.map((item) => [
          item.paper.id,
          item.vote,
          item.source,
        ]),
      ).toEqual([
        [ids.kvQuant, 'down', 'site'],
        [ids.kvEvict, 'up', 'explore'],
        [ids.diffusion, 'down', 'digest'],
      ]);

      const undone = await vote(manage, { paper: '2410.10004', vote: 'none' });
      expect(undone.status).toBe(200);
      expect(undone.body).toEqual({
        paper: { id: ids.diffusion, arxivId: '2410.10004', doi: null, title: PAPERS.diffusion.title },
        vote: 'none',
      });
      expect((await vote(manage, { paper: '2410.10004', vote: 'none' })).status).toBe(200);
      expect((await voteRows(manage.id)).map((row) => row.paperId).sort()).toEqual([ids.kvQuant, ids.kvEvict].sort());
    });

    it('lists votes recorded at one instant latest recorded first, the same on every read', async () => {
      const manage = await subscribe();
      const repository = api.app.get(VoteRepository);
      const at = testInstant();
      // Recorded in ascending paper order: ordered by paper alone, the tie would list them the other way round.
      const papers = [ids.kvEvict, ids.diffusion, ids.robots].sort();
      await repository.record(manage.id, ids.weightQuant, 'up', 'site', new Date(at.getTime() - 60_000));
      for (const paper of papers) {
        await repository.record(manage.id, paper, 'up', 'site', at);
      }
      const listed = async (): Promise<string[]> => {
        const response = await votes(manage);
        expect(response.status).toBe(200);
        return (response.body as { items: { paper: { id: string } }[] }).items.map((item) => item.paper.id);
      };
      expect(await listed()).toEqual([papers[2], papers[1], papers[0], ids.weightQuant]);
      expect(await listed()).toEqual([papers[2], papers[1], papers[0], ids.weightQuant]);

      // A vote changed at the same instant is the latest again.
      await repository.record(manage.id, papers[0], 'down', 'site', at);
      expect(await listed()).toEqual([papers[0], papers[2], papers[1], ids.weightQuant]);
    });

    it('answers 404 naming a paper Paperboy does not know, and stores nothing', async () => {
      const manage = await subscribe();
      const response = await vote(manage, { paper: '2410.99999', vote: 'up' });
      expect(response.status).toBe(404);
      expect(messagesOf(response).join(' ')).toContain('"2410.99999" is not known');
      const byDoi = await vote(manage, { paper: 'doi:10.1000/nowhere', vote: 'up' });
      expect(byDoi.status).toBe(404);
      expect(messagesOf(byDoi).join(' ')).toContain('10.1000/nowhere');
      expect(await voteRows(manage.id)).toEqual([]);
    });

    it('answers 400 naming what is wrong with the body', async () => {
      const manage = await subscribe();
      const notAPaper = await vote(manage, { paper: 'my favourite paper', vote: 'up' });
      expect(notAPaper.status).toBe(400);
      expect(messagesOf(notAPaper).join(' ')).toContain('"my favourite paper" is not an arXiv id');
      const badVote = await vote(manage, { paper: '2410.10001', vote: 'maybe' });
      expect(badVote.status).toBe(400);
      expect(messagesOf(badVote)).toContain('vote must be up, down or none');
      const badSource = await vote(manage, { paper: '2410.10001', vote: 'up', source: 'seed' });
      expect(badSource.status).toBe(400);
      expect(messagesOf(badSource)).toContain('source must be site, digest or explore');
      const noPaper = await vote(manage, { vote: 'up' });
      expect(noPaper.status).toBe(400);
      expect(await voteRows(manage.id)).toEqual([]);
    });

    it("answers 404 to another subscription's token, a missing or forged token, and stores nothing", async () => {
      const mine = await subscribe();
      const theirs = await subscribe();
      const foreign = await vote({ id: mine.id, token: theirs.token }, { paper: '2410.10001', vote: 'up' });
      expect(foreign.status).toBe(404);
      expect((await votes({ id: mine.id, token: theirs.token })).status).toBe(404);
      expect(
        (await http().post(`/api/subscriptions/${mine.id}/feedback`).send({ paper: '2410.10001', vote: 'up' })).status,
      ).toBe(404);
      expect((await vote({ id: mine.id, token: `${mine.token}x` }, { paper: '2410.10001', vote: 'up' })).status).toBe(
        404,
      );
      expect((await voteRows(mine.id)).length + (await voteRows(theirs.id)).length).toBe(0);
    });
    it('answers 404 to a manage link revoked through "revoke all earlier links"', async () => {
      const manage = await subscribe();
      const revoked = await http().post(
        `/api/subscriptions/${manage.id}/revoke-links?token=${encodeURIComponent(manage.token)}`,
      );
      expect(revoked.status).toBe(200);
      expect((await vote(manage, { paper: '2410.10001', vote: 'up' })).status).toBe(404);
      expect((await votes(manage)).status).toBe(404);
      const fresh = new URL((revoked.body as { manageUrl: string }).manageUrl).searchParams.get('token') as string;
      expect((await vote({ id: manage.id, token: fresh }, { paper: '2410.10001', vote: 'up' })).status).toBe(200);
    });
  });

  describe('ranking and followed authors on the subscription', () => {
    it('shows upvotes until the first vote, then for-you', async () => {
      const manage = await subscribe();
      expect(await view(manage)).toMatchObject({ ranking: 'upvotes', followedAuthors: [] });
      await vote(manage, { paper: '2410.10002', vote: 'down' });
      expect((await view(manage)).ranking).toBe('for-you');
    });

    it('keeps a ranking the subscriber chose, on POST and PATCH, whatever they vote', async () => {
      const manage = await subscribe({
        topics: ['llm'],
        ranking: 'newest',
        followedAuthors: [' Ada Lovelace ', 'G. Hopper'],
      });
      expect(await view(manage)).toMatchObject({ ranking: 'newest', followedAuthors: ['Ada Lovelace', 'G. Hopper'] });
      await vote(manage, { paper: '2410.10001', vote: 'up' });
      expect((await view(manage)).ranking).toBe('newest');

      const patched = await http()
        .patch(`/api/subscriptions/${manage.id}?token=${encodeURIComponent(manage.token)}`)
        .send({ ranking: 'upvotes', followedAuthors: [] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ ranking: 'upvotes', followedAuthors: [], topics: ['llm'] });
      expect(await view(manage)).toMatchObject({ ranking: 'upvotes', followedAuthors: [] });
    });

    it('answers 400 to an unknown ranking mode or a bad author list', async () => {
      const manage = await subscribe();
      const path = `/api/subscriptions/${manage.id}?token=${encodeURIComponent(manage.token)}`;
      const badMode = await http().patch(path).send({ ranking: 'best' });
      expect(badMode.status).toBe(400);
      expect(messagesOf(badMode)).toContain('ranking must be for-you, upvotes or newest');
      const badAuthors = await http()
        .patch(path)
        .send({ followedAuthors: ['x'] });
      expect(badAuthors.status).toBe(400);
      expect(messagesOf(badAuthors)).toContain('each followed author must have at least 2 characters');
      expect((await http().post('/api/subscriptions').send({ ranking: 'random' })).status).toBe(400);
    });
  });

  describe('POST /api/subscriptions/:id/seeds', () => {
    const seeds = (manage: Manage, type: string, body: string, format?: string): Promise<Response> =>
      http()
        .post(
          `/api/subscriptions/${manage.id}/seeds?token=${encodeURIComponent(manage.token)}${format ? `&format=${format}` : ''}`,
        )
        .set('content-type', type)
        .send(body);

    it('stores pasted ids as up-votes from seeds, names the unknown ones, and keeps votes already cast', async () => {
      const manage = await subscribe();
      await vote(manage, { paper: '2410.10003', vote: 'down' });
      const response = await seeds(
        manage,
        'text/plain',
        'https://arxiv.org/abs/2410.10001v3\nhttps://huggingface.co/papers/2410.10002\n2410.10003\n2410.99999\n',
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        added: 2,
        notFound: [{ where: 'line 4', id: '2410.99999' }],
        withoutIdentifier: [],
      });
      expect((response.body as { seeds: { paper: { id: string } }[] }).seeds.map((seed) => seed.paper.id)).toEqual([
        ids.kvQuant,
        ids.kvEvict,
        ids.weightQuant,
      ]);
      expect(await voteRows(manage.id)).toEqual(
        [
          { paperId: ids.kvQuant, vote: 'up', source: 'seed' },
          { paperId: ids.kvEvict, vote: 'up', source: 'seed' },
          { paperId: ids.weightQuant, vote: 'down', source: 'site' },
        ].sort((a, b) => (a.paperId < b.paperId ? -1 : 1)),
      );
      expect((await view(manage)).ranking).toBe('for-you');
    });

    it('reads BibTeX, CSL JSON (by content type), RIS (by format) and JSON ids', async () => {
      const manage = await subscribe();
      const bibtex = await seeds(
        manage,
        'application/x-bibtex',
        '@article{kv, title = {KV}, eprint = {2410.10001}, archivePrefix = {arXiv}}\n@book{b, title = {A book}}',
      );
      expect(bibtex.status).toBe(200);
      expect(bibtex.body).toMatchObject({ added: 1, withoutIdentifier: ['entry b (line 2)'] });
      const csl = await seeds(
        manage,
        'application/vnd.citationstyles.csl+json',
        JSON.stringify([
          { id: 'q', DOI: '10.1000/KV-QUANT' },
          { id: 'd', URL: 'https://arxiv.org/abs/2410.10004' },
        ]),
      );
      expect(csl.body).toMatchObject({ added: 1, notFound: [] });
      const ris = await seeds(
        manage,
        'text/plain',
        'TY  - JOUR\nUR  - https://arxiv.org/abs/2410.10005\nER  - \n',
        'ris',
      );
      expect(ris.body).toMatchObject({ added: 1 });
      const json = await http()
        .post(`/api/subscriptions/${manage.id}/seeds?token=${encodeURIComponent(manage.token)}`)
        .send({ ids: ['2410.10002'] });
      expect(json.body).toMatchObject({ added: 1 });
      expect((await voteRows(manage.id)).map((row) => row.paperId).sort()).toEqual(
        [ids.kvQuant, ids.diffusion, ids.robots, ids.kvEvict].sort(),
      );
    });

    it('refuses a malformed file whole, naming the line or entry, and a file over 2 MB', async () => {
      const manage = await subscribe();
      const bibtex = await seeds(
        manage,
        'application/x-bibtex',
        '@article{ok, eprint = {2410.10001}}\n@article{broken, title = {never closed}\n',
      );
      expect(bibtex.status).toBe(400);
      expect(messagesOf(bibtex)).toEqual([
        'bibtex: line 2: the @article entry is never closed (unbalanced braces); no seed was stored',
      ]);
      const ris = await seeds(manage, 'application/x-research-info-systems', 'TY  - JOUR\nDO  - 10.1000/kv-quant\n');
      expect(ris.status).toBe(400);
      expect(messagesOf(ris).join(' ')).toContain('line 1: the record is never ended');
      const csl = await seeds(manage, 'application/vnd.citationstyles.csl+json', '[{"DOI": "10.1000/kv-quant"}, 7]');
      expect(messagesOf(csl).join(' ')).toContain('item 2 is not an object');
      const big = await seeds(manage, 'text/plain', `2410.10001\n${'#'.repeat(2 * 1024 * 1024)}\n`);
      expect(big.status).toBe(413);
      expect(messagesOf(big).join(' ')).toContain('larger than 2 MB');
      const noFormat = await seeds(manage, 'application/octet-stream', '2410.10001');
      expect(noFormat.status).toBe(400);
      expect((await seeds(manage, 'text/plain', '2410.10001', 'endnote')).status).toBe(400);
      expect(await voteRows(manage.id)).toEqual([]);
    });

    it("answers 404 to another subscription's token", async () => {
      const mine = await subscribe();
      const theirs = await subscribe();
      expect((await seeds({ id: mine.id, token: theirs.token }, 'text/plain', '2410.10001')).status).toBe(404);
      expect(await voteRows(mine.id)).toEqual([]);
    });
  });

  describe('training data and models (RelevanceRepository)', () => {
    it("reads a subscription's votes with their features, a seeded background sample, and stores its model", async () => {
      const relevance = api.app.get(RelevanceRepository);
      const manage = await subscribe();
      await vote(manage, { paper: '2410.10001', vote: 'up' });
      await vote(manage, { paper: '2410.10003', vote: 'up' });
      await vote(manage, { paper: '2410.10004', vote: 'down' });
      const labelled = await relevance.labelledFeatures(manage.id);
      expect([labelled.liked.length, labelled.disliked.length]).toEqual([2, 1]);
      expect(labelled.disliked[0].get('diffusion')).toBeGreaterThan(0);

      const since = new Date('2026-11-01T00:00:00Z');
      const sample = await relevance.backgroundSample(since, '2026-12-07', 3);
      expect(sample).toHaveLength(3);
      expect(await relevance.backgroundSample(since, '2026-12-07', 3)).toEqual(sample);
      expect(await relevance.backgroundSample(new Date('2030-01-01T00:00:00Z'), 'x', 3)).toEqual([]);

      const all = [...labelled.liked, ...labelled.disliked, ...sample];
      const featurizer = new TfIdfFeaturizer(
        await relevance.frequencies([...new Set(all.flatMap((c) => [...c.keys()]))]),
      );
      const model = trainRelevanceModel({
        liked: labelled.liked.map((counts) => featurizer.vectorize(counts)),
        disliked: labelled.disliked.map((counts) => featurizer.vectorize(counts)),
        background: sample.map((counts) => featurizer.vectorize(counts)),
      });
      await relevance.saveModel(manage.id, model, new Date('2026-12-07T00:00:00Z'));
      const stored = (await relevance.models([manage.id])).get(manage.id);
      expect(stored?.terms).toEqual(model?.terms);
      expect(Array.from(stored?.weights ?? [])).toEqual(Array.from(model?.weights ?? []));
      expect([stored?.liked, stored?.disliked]).toEqual([2, 1]);
      await relevance.saveModel(manage.id, null, new Date('2026-12-08T00:00:00Z'));
      expect((await relevance.models([manage.id])).size).toBe(0);
    });
  });

  describe('GET /api/papers/:id/similar', () => {
    type Items = { items: { id: string; arxivId: string; title: string; upvotes: number; topics: unknown[] }[] };

    it('answers the papers closest in text, best first, with the fields of /api/papers', async () => {
      const response = await http().get('/api/papers/2410.10001/similar?limit=2');
      expect(response.status).toBe(200);
      const { items } = response.body as Items;
      expect(items.map((item) => item.id)).toEqual([ids.kvEvict, ids.weightQuant]);
      expect(Object.keys(items[0]).sort()).toEqual(
        ['abstract', 'arxivId', 'authors', 'doi', 'id', 'listedAt', 'title', 'topics', 'upvotes', 'url'].sort(),
      );
      const byId = await http().get(`/api/papers/${ids.kvQuant}/similar`);
      expect((byId.body as Items).items.map((item) => item.id).slice(0, 2)).toEqual([ids.kvEvict, ids.weightQuant]);
      expect((byId.body as Items).items.map((item) => item.id)).not.toContain(ids.kvQuant);
    });

    it('works for a paper whose features are not stored yet', async () => {
      const [fresh] = await insertPapers(sql, [
        {
          arxivId: '2410.10006',
          title: 'Mixed-precision KV cache quantization',
          abstract: 'Quantization of the KV cache with mixed precision for long-context inference.',
          listedAt: '2026-11-28T10:00:00Z',
        },
      ]);
      const response = await http().get('/api/papers/2410.10006/similar?limit=3');
      expect(response.status).toBe(200);
      const found = (response.body as Items).items.map((item) => item.id);
      expect(found[0]).toBe(ids.kvQuant);
      expect(found).not.toContain(fresh);
    });

    it('keeps an answer until the ready papers change, then computes it again', async () => {
      const similar = async (): Promise<string[]> =>
        ((await http().get(`/api/papers/${ids.kvQuant}/similar?limit=2`)).body as Items).items.map((item) => item.id);
      expect(await similar()).toEqual([ids.kvEvict, ids.weightQuant]);
      const { rows } = await sql.query<{ paperId: string }>(
        `DELETE FROM paper_features WHERE "paperId" = $1 RETURNING *`,
        [ids.kvEvict],
      );
      try {
        // The features changed behind the papers' version: the memo still answers.
        expect(await similar()).toEqual([ids.kvEvict, ids.weightQuant]);
        // A paper changes (as the classifier's write would): the newest change is a new version.
        await sql.query(
          `UPDATE papers SET "updatedAt" = (SELECT max("updatedAt") FROM papers) + interval '1 second' WHERE id = $1`,
          [ids.weightQuant],
        );
        expect(await similar()).not.toContain(ids.kvEvict);
      } finally {
        const [removed] = rows as Record<string, unknown>[];
        const columns = Object.keys(removed);
        await sql.query(
          `INSERT INTO paper_features (${columns.map((c) => `"${c}"`).join(', ')})
           VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          columns.map((c) => removed[c]),
        );
      }
    });

    it('answers 404 naming an unknown paper and 400 to a bad limit', async () => {
      const unknown = await http().get('/api/papers/2410.99999/similar');
      expect(unknown.status).toBe(404);
      expect(messagesOf(unknown).join(' ')).toContain('"2410.99999" is not known');
      expect((await http().get('/api/papers/not-a-paper/similar')).status).toBe(404);
      for (const limit of ['0', '51', 'ten']) {
        const response = await http().get(`/api/papers/2410.10001/similar?limit=${limit}`);
        expect(response.status).toBe(400);
        expect(messagesOf(response)).toContain('limit must be an integer from 1 to 50');
      }
    });
  });

  it('shows "More like this" on every paper page: the closest papers, best first, each linking to its page', async () => {
    const page = await http().get(`/papers/${ids.kvQuant}`);
    expect(page.status).toBe(200);
    const section = /<section aria-labelledby="more-like-this">([\s\S]*?)<\/section>/.exec(page.text)?.[1] ?? '';
    const listed = [...section.matchAll(/<h2><a href="\/papers\/([^"]+)">/g)].map((match) => match[1]);
    expect(listed.slice(0, 2)).toEqual([ids.kvEvict, ids.weightQuant]);
    expect(listed).not.toContain(ids.kvQuant);
    expect(listed.length).toBeLessThanOrEqual(10);
    // Public: the same page for everyone, cached as the other paper pages are.
    expect(page.headers['cache-control']).toBe('public, max-age=60');
  });

  it('documents the routes in OpenAPI', async () => {
    const spec = await http().get('/api/docs/openapi.json');
    expect(spec.status).toBe(200);
    const paths = (spec.body as { paths: Record<string, object> }).paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/subscriptions/{id}/feedback',
        '/api/subscriptions/{id}/seeds',
        '/api/papers/{id}/similar',
        '/vote',
        '/vote/{token}',
      ]),
    );
    expect(Object.keys(paths['/vote'])).toEqual(['post']);
    expect(Object.keys(paths['/vote/{token}'])).toEqual(['get']);
    expect(JSON.stringify(paths['/vote'])).toContain('application/x-www-form-urlencoded');
    expect(JSON.stringify(paths['/api/subscriptions/{id}/seeds'])).toContain('application/x-bibtex');
  });
});
