import type { IncomingMessage, ServerResponse } from 'node:http';
import { embeddingText, type PaperText } from '@libs/domain';
import { HttpClient, HttpClientError } from '@libs/http';
import { answer, LoopbackServer } from '../../../test/support/loopback-server';
import { loadSettings } from '@libs/config';
import { EmbeddingsError, EmbeddingsFeaturizer, embeddingsFeaturizerFor } from './embeddings-featurizer';

const PATH = '/v1/embeddings';
const KEY = 'sk-test-0123456789';

/** A stand-in vector for a text: distinct per text, so the test can tell which input each belongs to. */
function vectorOf(text: string): number[] {
  return [text.length, text.charCodeAt(0), text.split(' ').length / 10];
}

interface Seen {
  authorization?: string;
  body: { model: string; input: string[] };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answers as OpenAI's embeddings endpoint documents it, with `data` in reverse order (the format orders
 * by `index`, not by position); `shape` may break the answer.
 */
function openAiEmbeddings(seen: Seen[], shape: (data: { index: number; embedding: unknown }[]) => unknown = (d) => d) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void readBody(req).then((raw) => {
      const body = JSON.parse(raw) as Seen['body'];
      seen.push({ authorization: req.headers.authorization, body });
      const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          data: shape(data.reverse()),
          model: body.model,
          usage: { prompt_tokens: 8, total_tokens: 8 },
        }),
      );
    });
  };
}

const papers: PaperText[] = [
  { title: 'Mesa: KV cache compression', abstract: 'We compress the KV cache.', keywords: ['KV cache'] },
  { title: 'Speculative decoding at scale', abstract: 'Draft models propose tokens.' },
  { title: 'Diffusion distillation', abstract: 'Fewer steps, same images.' },
  { title: 'RLHF without tears', abstract: 'Preference optimisation, simply.' },
  { title: 'Theorem proving with LLMs', abstract: 'Lean proofs found by search.' },
];

describe('EmbeddingsFeaturizer (OpenAI-compatible /v1/embeddings)', () => {
  const server = new LoopbackServer();
  const http = new HttpClient({ allowPrivateTargets: true, userAgent: 'paperboy-test' });

  beforeAll(() => server.start());
  afterAll(async () => {
    await http.close();
    await server.stop();
  });

  const featurizer = (options: { apiKey?: string; batchSize?: number } = {}): EmbeddingsFeaturizer =>
    new EmbeddingsFeaturizer(http, { url: server.url(PATH), model: 'bge-small-en', ...options });

  it('should embed papers in batches, each vector in its paper`s place, with the key as a bearer token', async () => {
    const seen: Seen[] = [];
    server.route(PATH, openAiEmbeddings(seen));

    const vectors = await featurizer({ apiKey: KEY, batchSize: 2 }).embed(papers);

    expect(seen.map((request) => request.body)).toEqual([
      { model: 'bge-small-en', input: papers.slice(0, 2).map(embeddingText) },
      { model: 'bge-small-en', input: papers.slice(2, 4).map(embeddingText) },
      { model: 'bge-small-en', input: papers.slice(4).map(embeddingText) },
    ]);
    expect(seen.map((request) => request.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${KEY}`]);
    expect(vectors).toEqual(papers.map((paper) => Float32Array.from(vectorOf(embeddingText(paper)))));
    expect(embeddingText(papers[0])).toBe(
      'Mesa: KV cache compression\n\nWe compress the KV cache.\nKeywords: KV cache',
    );
  });

  it('should be made from the settings only when they ask for it', async () => {
    const seen: Seen[] = [];
    server.route(PATH, openAiEmbeddings(seen));
    expect(embeddingsFeaturizerFor(loadSettings({}).embeddings, http)).toBeNull();

    const configured = embeddingsFeaturizerFor(
      loadSettings({ EMBEDDINGS_URL: server.url(PATH), EMBEDDINGS_MODEL: 'nomic-embed-text', EMBEDDINGS_API_KEY: KEY })
        .embeddings,
      http,
    );
    expect(await configured?.embed(papers.slice(0, 1))).toEqual([
      Float32Array.from(vectorOf(embeddingText(papers[0]))),
    ]);
    expect(seen).toEqual([
      { authorization: `Bearer ${KEY}`, body: { model: 'nomic-embed-text', input: [embeddingText(papers[0])] } },
    ]);
  });

  it('should send no authorization without a key, and nothing for no papers', async () => {
    const seen: Seen[] = [];
    server.route(PATH, openAiEmbeddings(seen));

    expect(await featurizer().embed([])).toEqual([]);
    expect(seen).toEqual([]);
    await featurizer().embed(papers.slice(0, 1));
    expect(seen).toHaveLength(1);
    expect(seen[0].authorization).toBeUndefined();
  });

  it('should name an error status, quoting the endpoint`s message without the key', async () => {
    server.route(
      PATH,
      answer(
        401,
        JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error' } }),
        {
          'content-type': 'application/json',
        },
      ),
    );
    const unauthorized = await featurizer({ apiKey: KEY })
      .embed(papers)
      .catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(EmbeddingsError);
    expect((unauthorized as EmbeddingsError).message).toBe(
      'embeddings endpoint answered 401: Incorrect API key provided: ***.',
    );
    expect((unauthorized as EmbeddingsError).transient).toBe(false);

    server.route(PATH, answer(503, 'upstream down', { 'content-type': 'text/plain' }));
    const unavailable = await featurizer({ apiKey: KEY })
      .embed(papers)
      .catch((error: unknown) => error);
    expect(unavailable).toBeInstanceOf(EmbeddingsError);
    expect((unavailable as EmbeddingsError).message).toBe('embeddings endpoint answered 503');
    expect((unavailable as EmbeddingsError).status).toBe(503);
    expect((unavailable as EmbeddingsError).transient).toBe(true);
  });

  it.each([
    [
      'a body that is not JSON',
      answer(200, '<html>proxy error</html>'),
      'embeddings endpoint answered with a body that is not JSON',
    ],
    [
      'no data array',
      answer(200, JSON.stringify({ object: 'list', model: 'm' })),
      'embeddings response has no "data" array',
    ],
    [
      'one embedding too few',
      openAiEmbeddings([], (data) => data.slice(1)),
      'embeddings response has 1 embeddings for 2 inputs',
    ],
    [
      'a value that is not a number',
      openAiEmbeddings([], (data) => data.map((item) => ({ ...item, embedding: [0.1, '0.2', 0.3] }))),
      'embeddings response item 1 has an embedding value that is not a number',
    ],
    [
      'an index out of range',
      openAiEmbeddings([], (data) => data.map((item) => ({ ...item, index: item.index + 1 }))),
      'embeddings response item 0 has no valid "index" (0 to 1)',
    ],
    [
      'an index twice',
      openAiEmbeddings([], (data) => data.map((item) => ({ ...item, index: 0 }))),
      'embeddings response has index 0 twice',
    ],
    [
      'vectors of different lengths',
      openAiEmbeddings([], (data) => data.map((item) => ({ ...item, embedding: new Array(item.index + 2).fill(0.5) }))),
      'embeddings response item 0 has 2 dimensions where the others have 3',
    ],
  ])('should refuse %s with a clear error', async (_name, route, message) => {
    server.route(PATH, route);
    const error = await featurizer()
      .embed(papers.slice(0, 2))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmbeddingsError);
    expect((error as EmbeddingsError).message).toBe(message);
  });

  it('should go through the SSRF guard: a loopback endpoint is refused unless private targets are allowed', async () => {
    const seen: Seen[] = [];
    server.route(PATH, openAiEmbeddings(seen));
    const guarded = new HttpClient({ allowPrivateTargets: false, userAgent: 'paperboy-test' });
    try {
      const error = await new EmbeddingsFeaturizer(guarded, { url: server.url(PATH), model: 'm', apiKey: KEY })
        .embed(papers)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HttpClientError);
      expect((error as HttpClientError).kind).toBe('blocked-target');
      expect((error as HttpClientError).message).not.toContain(KEY);
      expect(seen).toEqual([]);
    } finally {
      await guarded.close();
    }
  });
});
