import { Response } from 'supertest';
import { ApiApp, insertPapers, PaperSeed, startApiApp } from '../../../../test/support/api-app';

type SeedPaper = PaperSeed & { key: string };

interface Item {
  id: string;
  arxivId: string | null;
  doi: string | null;
  title: string;
  authors: string[];
  abstract: string;
  upvotes: number;
  topics: { topic: string; score: number; evidence: string[] }[];
  url: string | null;
  listedAt: string;
}

interface PageBody {
  items: Item[];
  page: number;
  limit: number;
  total: number;
}

const PAPERS: SeedPaper[] = [
  {
    key: 'tts-title',
    title: 'Test-Time Scaling for Reasoning Models',
    abstract: 'We spend more compute at inference to improve chain-of-thought reasoning.',
    authors: ['Ada Lovelace', 'Alan Turing'],
    listedAt: '2026-11-27T09:00:00Z',
    upvotes: 50,
    arxivId: '2411.00001',
    url: 'https://huggingface.co/papers/2411.00001',
    topics: [
      { topic: 'reasoning', score: 7, evidence: ['title: "test-time scaling"'] },
      { topic: 'llm', score: 3.5, evidence: ['abstract: "chain-of-thought"'] },
    ],
  },
  {
    key: 'tts-abstract',
    title: 'Compute-Optimal Inference',
    abstract: 'We derive test time scaling laws for language model inference.',
    listedAt: '2026-11-27T08:00:00Z',
    upvotes: 10,
    arxivId: '2411.00002',
  },
  {
    key: 'not-a-phrase',
    title: 'Scaling Continuous Integration',
    abstract: 'We run test suites at the time of each commit, scaling to thousands of builds.',
    listedAt: '2026-11-26T12:00:00Z',
    upvotes: 3,
    doi: '10.1000/ci-scaling',
  },
  {
    key: 'ptq',
    title: 'Post-Training Quantization of Large Language Models',
    abstract: 'We quantize weights and activations to four bits with little loss.',
    listedAt: '2026-11-26T10:00:00Z',
    upvotes: 20,
    arxivId: '2411.00004',
    topics: [{ topic: 'efficiency', score: 6, evidence: ['title: "quantization"'] }],
  },
  {
    key: 'survey',
    title: 'A Survey of Quantization Methods',
    abstract: 'This survey covers quantized neural networks.',
    listedAt: '2026-11-25T10:00:00Z',
    upvotes: 30,
    arxivId: '2411.00005',
    topics: [{ topic: 'efficiency', score: 4, evidence: ['title: "quantization"'] }],
  },
  {
    key: 'edge',
    title: 'Quantized Diffusion on the Edge',
    abstract: 'Diffusion models for resource-constrained devices.',
    listedAt: '2026-11-25T09:00:00Z',
    upvotes: 5,
    arxivId: '2411.00006',
  },
  {
    key: 'tinyml',
    title: 'Tiny Agents',
    abstract: 'Language agents that run in resource constrained settings.',
    listedAt: '2026-11-24T09:00:00Z',
    upvotes: 0,
    arxivId: '2411.00007',
  },
  {
    key: 'allocation',
    title: 'Budgeted Allocation',
    abstract: 'Each resource is allocated while the planner is constrained by a budget.',
    listedAt: '2026-11-24T08:00:00Z',
    upvotes: 1,
    arxivId: '2411.00008',
  },
  {
    key: 'unready',
    title: 'Test-Time Scaling, Not Yet Classified',
    abstract: 'Test-time scaling again, but this paper is not ready.',
    listedAt: '2026-11-27T10:00:00Z',
    upvotes: 99,
    arxivId: '2411.00009',
    ready: false,
  },
];

/** GET /api/papers through the api in-process (createApiApp, as main.ts does) against real Postgres. */
describe('GET /api/papers (integration)', () => {
  let api: ApiApp;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    api = await startApiApp('api_papers', {
      APP_SECRET: 'api-papers-secret-api-papers-secret',
      PUBLIC_URL: 'http://127.0.0.1',
      ALLOW_PRIVATE_TARGETS: 'false',
    });
    (await insertPapers(api.sql, PAPERS)).forEach((id, index) => ids.set(PAPERS[index].key, id));
  }, 60_000);

  afterAll(() => api?.close());

  const search = (query: Record<string, string | string[]>): Promise<Response> =>
    api.http().get('/api/papers').query(query);
  const keysOf = (response: Response): string[] => {
    expect(response.status).toBe(200);
    const byId = new Map([...ids].map(([key, id]) => [id, key]));
    return (response.body as PageBody).items.map((item) => byId.get(item.id) ?? item.id);
  };
  const messagesOf = (response: Response): string[] =>
    [(response.body as { message: string | string[] }).message].flat();

  it('should list the ready papers newest first without a query, with topics, links and a total', async () => {
    const response = await search({});
    expect(keysOf(response)).toEqual([
      'tts-title',
      'tts-abstract',
      'not-a-phrase',
      'ptq',
      'survey',
      'edge',
      'tinyml',
      'allocation',
    ]);
    const body = response.body as PageBody;
    expect(body).toMatchObject({ page: 1, limit: 20, total: 8 });
    expect(body.items[0]).toEqual({
      id: ids.get('tts-title'),
      arxivId: '2411.00001',
      doi: null,
      title: 'Test-Time Scaling for Reasoning Models',
      authors: ['Ada Lovelace', 'Alan Turing'],
      abstract: 'We spend more compute at inference to improve chain-of-thought reasoning.',
      upvotes: 50,
      topics: [
        { topic: 'reasoning', score: 7, evidence: ['title: "test-time scaling"'] },
        { topic: 'llm', score: 3.5, evidence: ['abstract: "chain-of-thought"'] },
      ],
      url: 'https://huggingface.co/papers/2411.00001',
      listedAt: '2026-11-27T09:00:00.000Z',
    });
    // Without a source link: the arXiv page, else the DOI resolver.
    expect(body.items[1].url).toBe('https://arxiv.org/abs/2411.00002');
    expect(body.items[2].url).toBe('https://doi.org/10.1000/ci-scaling');
  });

  it('should page through the results', async () => {
    const second = await search({ page: '2', limit: '3' });
    expect(keysOf(second)).toEqual(['ptq', 'survey', 'edge']);
    expect(second.body).toMatchObject({ page: 2, limit: 3, total: 8 });
    const beyond = await search({ page: '9', limit: '3' });
    expect(beyond.body).toEqual({ items: [], page: 9, limit: 3, total: 8 });
  });

  it('should find a quoted phrase however the paper hyphenates it, and not its words scattered, title matches first', async () => {
    expect(keysOf(await search({ q: '"test-time scaling"' }))).toEqual(['tts-title', 'tts-abstract']);
    expect(keysOf(await search({ q: '"test time scaling"' }))).toEqual(['tts-title', 'tts-abstract']);
  });

  it('should exclude a -word and match word forms by stem', async () => {
    expect(keysOf(await search({ q: 'quantization -survey' }))).toEqual(['ptq', 'edge']);
    expect(keysOf(await search({ q: 'quantization' })).sort()).toEqual(['edge', 'ptq', 'survey']);
    expect(keysOf(await search({ q: 'agent' }))).toEqual(['tinyml']);
  });

  it('should read a hyphenated word as the phrase it is, with or without the hyphen in the paper', async () => {
    expect(keysOf(await search({ q: 'resource-constrained' }))).toEqual(['edge', 'tinyml']);
    expect(keysOf(await search({ q: 'quantized -resource-constrained' })).sort()).toEqual(['ptq', 'survey']);
  });

  it('should find papers by their authors, whatever the stemmer makes of the name', async () => {
    // Authors are stemmed like the query: "Lovelace" (stemmed to "lovelac") is found as well as "Hopper".
    expect(keysOf(await search({ q: 'hopper', limit: '1' }))).toHaveLength(1);
    expect(keysOf(await search({ q: 'lovelace' })).length).toBeGreaterThan(0);
  });

  it('should filter by topic, listing day and upvotes, alone and with a query', async () => {
    expect(keysOf(await search({ topic: 'efficiency' }))).toEqual(['ptq', 'survey']);
    expect(keysOf(await search({ topic: 'efficiency', q: 'bits' }))).toEqual(['ptq']);
    expect(keysOf(await search({ date: '2026-11-26' }))).toEqual(['not-a-phrase', 'ptq']);
    expect(keysOf(await search({ minUpvotes: '20' }))).toEqual(['tts-title', 'ptq', 'survey']);
    expect(keysOf(await search({ q: 'scaling', date: '2026-11-27', minUpvotes: '11' }))).toEqual(['tts-title']);
    const empty = await search({ date: '2020-01-01' });
    expect(empty.body).toEqual({ items: [], page: 1, limit: 20, total: 0 });
  });

  it('should treat an empty q as no query', async () => {
    expect((await search({ q: '  ' })).body).toMatchObject({ total: 8 });
  });

  it.each([
    [{ topic: 'astrology' }, /^topic must be one of: llm, /],
    [{ date: '2026-02-30' }, /^date must be a calendar date as YYYY-MM-DD/],
    [{ date: '27/11/2026' }, /^date must be a calendar date as YYYY-MM-DD/],
    [{ minUpvotes: '-1' }, /^minUpvotes must be a whole number 0 or more$/],
    [{ minUpvotes: 'many' }, /^minUpvotes must be a whole number 0 or more$/],
    [{ minUpvotes: '' }, /^minUpvotes must be a whole number 0 or more$/],
    [{ page: '0' }, /^page must be a whole number from 1 to 10000$/],
    [{ page: '1.5' }, /^page must be a whole number from 1 to 10000$/],
    [{ limit: '101' }, /^limit must be a whole number from 1 to 100$/],
    [{ q: ['a', 'b'] }, /^q must be one search string of at most 200 characters$/],
    [{ q: 'x'.repeat(201) }, /^q must be one search string of at most 200 characters$/],
    [{ q: 'the' }, /^q "the" has no words to search for/],
    [{ sort: 'upvotes' }, /^property sort should not exist$/],
  ])('should answer 400 naming the field for %j', async (query, message) => {
    const response = await search(query);
    expect(response.status).toBe(400);
    expect(messagesOf(response)).toEqual([expect.stringMatching(message)]);
  });

  it('should name every bad field at once', async () => {
    const response = await search({ topic: 'astrology', date: 'yesterday', limit: '0', page: 'x' });
    expect(response.status).toBe(400);
    const messages = messagesOf(response).join('\n');
    for (const field of ['topic', 'date', 'limit', 'page']) {
      expect(messages).toMatch(new RegExp(`^${field} `, 'm'));
    }
  });
});
