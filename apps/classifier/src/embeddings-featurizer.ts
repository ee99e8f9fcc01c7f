import { type DensePaperFeaturizer, embeddingText, type PaperText } from '@libs/domain';
import { type HttpClient } from '@libs/http';

export interface EmbeddingsOptions {
  /** The full endpoint URL, e.g. https://api.openai.com/v1/embeddings (EMBEDDINGS_URL). */
  url: string;
  model: string;
  /** Sent as a bearer token; never put in an error message or a log line. */
  apiKey?: string;
  /** Inputs per request. OpenAI takes up to 2,048; local servers often far fewer. Default 64. */
  batchSize?: number;
  /** Per request. Default 60 s: a batch of abstracts on a CPU-only local server is slow. */
  timeoutMs?: number;
}

/** The endpoint answered, but not with embeddings: a 4xx/5xx or a body not in OpenAI's format. */
export class EmbeddingsError extends Error {
  override readonly name = 'EmbeddingsError';

  constructor(
    message: string,
    /** The HTTP status, when the endpoint answered with an error status. */
    readonly status?: number,
  ) {
    super(message);
  }

  /** Worth retrying later: rate limited or a server error. */
  get transient(): boolean {
    return this.status === 429 || (this.status !== undefined && this.status >= 500);
  }
}

const DEFAULT_BATCH_SIZE = 64;
const DEFAULT_TIMEOUT_MS = 60_000;
/** An error message from the endpoint is quoted up to this length. */
const MAX_QUOTED = 200;

/**
 * Embeddings from an OpenAI-compatible `POST /v1/embeddings` (OpenAI, vLLM, llama.cpp's server, Ollama,
 * text-embeddings-inference): `{model, input: [...]}` → `{data: [{index, embedding}], model, usage}`.
 * Through the one outbound client, so its SSRF guard, deadline and size cap apply. Off unless configured.
 */
export class EmbeddingsFeaturizer implements DensePaperFeaturizer {
  private readonly batchSize: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly http: HttpClient,
    private readonly options: EmbeddingsOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async embed(papers: readonly PaperText[]): Promise<Float32Array[]> {
    return this.embedTexts(papers.map(embeddingText));
  }

  /** One vector per text, in the texts' order; batches go one after another (a shared, often rate-limited service). */
  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(input: readonly string[]): Promise<Float32Array[]> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey !== undefined) {
      headers.authorization = `Bearer ${this.options.apiKey}`;
    }
    const res = await this.http.request({
      url: this.options.url,
      method: 'POST',
      headers,
      body: JSON.stringify({ model: this.options.model, input }),
      timeoutMs: this.timeoutMs,
    });
    if (res.status < 200 || res.status >= 300) {
      throw new EmbeddingsError(`embeddings endpoint answered ${res.status}${this.quotedError(res.body)}`, res.status);
    }
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new EmbeddingsError('embeddings endpoint answered with a body that is not JSON');
    }
    return parseEmbeddings(body, input.length);
  }

  /** OpenAI's `{error: {message}}`, shortened, with the key masked should the endpoint echo it. */
  private quotedError(body: Buffer): string {
    let message: unknown;
    try {
      message = (JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } }).error?.message;
    } catch {
      return '';
    }
    if (typeof message !== 'string' || message === '') {
      return '';
    }
    const key = this.options.apiKey;
    const masked = key ? message.split(key).join('***') : message;
    return `: ${masked.slice(0, MAX_QUOTED)}`;
  }
}

/** The featurizer the settings ask for (`Settings.embeddings`, checked at boot); null when embeddings are off. */
export function embeddingsFeaturizerFor(
  config: { url: string; model: string; apiKey?: string } | null,
  http: HttpClient,
): EmbeddingsFeaturizer | null {
  return config === null ? null : new EmbeddingsFeaturizer(http, config);
}

/**
 * Checks the answer and orders it by `index` (the format does not promise the request's order). Hand-written:
 * one small, fixed shape, and each failure wants its own message.
 */
export function parseEmbeddings(body: unknown, expected: number): Float32Array[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new EmbeddingsError('embeddings response has no "data" array');
  }
  if (data.length !== expected) {
    throw new EmbeddingsError(`embeddings response has ${data.length} embeddings for ${expected} inputs`);
  }
  const vectors: Float32Array[] = new Array<Float32Array>(expected);
  let dimensions: number | undefined;
  data.forEach((item: unknown, position) => {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= expected) {
      throw new EmbeddingsError(`embeddings response item ${position} has no valid "index" (0 to ${expected - 1})`);
    }
    if (vectors[index] !== undefined) {
      throw new EmbeddingsError(`embeddings response has index ${index} twice`);
    }
    if (!Array.isArray(embedding) || embedding.length === 0) {
      throw new EmbeddingsError(`embeddings response item ${index} has no "embedding" array of numbers`);
    }
    if (!embedding.every((value) => typeof value === 'number' && Number.isFinite(value))) {
      throw new EmbeddingsError(`embeddings response item ${index} has an embedding value that is not a number`);
    }
    if (dimensions !== undefined && embedding.length !== dimensions) {
      throw new EmbeddingsError(
        `embeddings response item ${index} has ${embedding.length} dimensions where the others have ${dimensions}`,
      );
    }
    dimensions = embedding.length;
    vectors[index] = Float32Array.from(embedding as number[]);
  });
  return vectors;
}
