import { readFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Job } from 'bullmq';
import { FetchRunEntity, ListingEntity, SourceDefinition, SourceRepository } from '@libs/database';
import { PermanentError } from '@libs/domain';
import { JobData, JobName } from '@libs/queues';
import { createFetcherContext, FetcherContext } from '../../../test/support/fetcher-context';
import { deleteQueueKeys } from '../../../test/support/processes';
import { close, listen } from '../../../test/support/stand-ins';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { SourceFetcherService } from './source-fetcher.service';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** A real answer of https://huggingface.co/api/daily_papers?date=2024-10-25: 29 papers. */
const FIXTURE_BODY = readFileSync(join(__dirname, '../../../test/fixtures/hf/daily-papers-2024-10-25.json'), 'utf8');
const FIXTURE_DATE = '2024-10-25';
const NEXT_DATE = '2024-10-26';

interface HfEntry {
  paper: Record<string, unknown>;
  [key: string]: unknown;
}

const FIXTURE: readonly HfEntry[] = JSON.parse(FIXTURE_BODY) as HfEntry[];
const FIXTURE_IDS = FIXTURE.map((entry) => entry.paper.id as string);

/** `count` real-shaped entries with distinct arXiv ids, cycling over the fixture's papers. */
function generatedEntries(count: number): HfEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const entry = structuredClone<HfEntry>(FIXTURE[index % FIXTURE.length]);
    entry.paper.id = `2411.${String(10_000 + index)}`;
    return entry;
  });
}

type Route = (query: URLSearchParams, res: ServerResponse) => void;

interface SeenRequest {
  sourceId: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/**
 * Stands in for the Hugging Face Daily Papers API on loopback. Each source gets its own path
 * (`/<source id>/api/daily_papers`), answered by the route the test sets for it; unset routes are 404.
 */
class HfApiStandIn {
  readonly requests: SeenRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const [, sourceId, ...rest] = url.pathname.split('/');
    this.requests.push({ sourceId, query: url.searchParams, headers: req.headers });
    const route = this.routes.get(sourceId);
    if (rest.join('/') !== 'api/daily_papers' || !route) {
      send(res, 404, JSON.stringify({ error: 'Not found' }));
      return;
    }
    route(url.searchParams, res);
  });

  async start(): Promise<void> {
    await listen(this.server);
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  urlFor(sourceId: string, host = '127.0.0.1'): string {
    return `http://${host}:${(this.server.address() as AddressInfo).port}/${sourceId}/api/daily_papers`;
  }

  route(sourceId: string, route: Route): void {
    this.routes.set(sourceId, route);
  }

  requestsFor(sourceId: string): SeenRequest[] {
    return this.requests.filter((request) => request.sourceId === sourceId);
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body);
}

/** Answers like the real API: the entries of the page `p` of size `limit` (capped at 100). */
function paginated(entries: readonly HfEntry[]): Route {
  return (query, res) => {
    const limit = Math.min(Number(query.get('limit') ?? 50), 100);
    const page = Number(query.get('p') ?? 0);
    send(res, 200, JSON.stringify(entries.slice(page * limit, (page + 1) * limit)));
  };
}

/** Answers each listing date with its own route; other dates get an empty listing. */
function byDate(routes: Record<string, Route>): Route {
  return (query, res) => {
    const route = routes[query.get('date') ?? ''];
    if (route) {
      route(query, res);
    } else {
      send(res, 200, '[]');
    }
  };
}

const answer =
  (status: number, body: string, headers: Record<string, string> = {}): Route =>
  (_query, res) =>
    send(res, status, body, headers);

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) {
      return error;
    }
    throw new Error(`expected an Error, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the promise to reject');
}

interface HttpFailure {
  status: number;
  headers: Record<string, string>;
  kind: 'transient' | 'permanent';
  detail: string;
}

type ClassifyJob = Job<JobData<JobName.ListingsClassify>>;

describe(SourceFetcherService.name, () => {
  const prefix = testQueuePrefix('fetcher');
  const hf = new HfApiStandIn();
  const savedEnv: Record<string, string | undefined> = {};
  let database: TestDatabase;

  const setEnv = (values: Record<string, string>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in savedEnv)) {
        savedEnv[key] = process.env[key];
      }
      process.env[key] = value;
    }
  };

  const sourceFor = (id: string, host?: string): SourceDefinition => ({
    id,
    kind: 'hf-daily-papers',
    url: hf.urlFor(id, host),
    schedule: '0 6 * * *',
    timezone: 'UTC',
  });

  beforeAll(async () => {
    database = await createTestDatabase('fetcher');
    await hf.start();
    setEnv({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix });
  });

  afterAll(async () => {
    await hf.stop();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  });

  describe('with private targets allowed', () => {
    const SOURCE_IDS = [
      'real',
      'twice',
      'paged',
      'paged-exact',
      'html-page',
      'truncated-json',
      'json-object',
      'broken-items',
      'http-500',
      'http-429',
      'http-404',
      'http-400',
    ];
    let context: FetcherContext;

    beforeAll(async () => {
      setEnv({ ALLOW_PRIVATE_TARGETS: 'true' });
      const sources = SOURCE_IDS.map((id) => sourceFor(id));
      context = await createFetcherContext([...sources, sourceFor('retired')]);
      // Dropped from the sources file: kept, disabled.
      await context.app.get(SourceRepository).syncFromFile(sources);
    });

    afterAll(async () => {
      await context?.app.close();
    });

    const listingsOf = (sourceId: string): Promise<ListingEntity[]> =>
      context.listings.find({ where: { sourceId }, order: { externalId: 'ASC' } });
    const runsOf = (sourceId: string): Promise<FetchRunEntity[]> =>
      context.runs.find({ where: { sourceId }, order: { startedAt: 'ASC' } });
    const queuedJobs = async (): Promise<ClassifyJob[]> =>
      (await context.classify.getJobs(['waiting', 'delayed', 'prioritized'])) as ClassifyJob[];
    const queuedCount = async (): Promise<number> => {
      const counts = await context.classify.getJobCounts('waiting', 'delayed', 'prioritized');
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    };
    /** The queued classify jobs carrying a source's listings. */
    const jobsOf = async (sourceId: string): Promise<ClassifyJob[]> => {
      const ids = new Set((await listingsOf(sourceId)).map((listing) => listing.id));
      return (await queuedJobs()).filter((job) => job.data.listingIds.some((id) => ids.has(id)));
    };
    /** The source's listings that queued classify jobs carry, each once. */
    const queuedListingsOf = async (sourceId: string): Promise<string[]> => {
      const ids = new Set((await listingsOf(sourceId)).map((listing) => listing.id));
      return [...new Set((await queuedJobs()).flatMap((job) => job.data.listingIds))].filter((id) => ids.has(id));
    };

    /** Fetches a source that fails, and checks the failure was recorded on its run and nothing was stored or queued. */
    const expectFailedFetch = async (
      sourceId: string,
      date = FIXTURE_DATE,
      httpStatus: number | null = null,
    ): Promise<Error> => {
      const listingsBefore = await listingsOf(sourceId);
      const queuedBefore = await queuedCount();
      const error = await rejectionOf(context.fetcher.fetch(sourceId, date));
      const run = (await runsOf(sourceId)).find((candidate) => candidate.listingDate === date);
      expect(run).toMatchObject({
        status: 'failed',
        httpStatus,
        itemsSeen: 0,
        itemsNew: 0,
        error: error.message,
      });
      expect(run?.finishedAt).toBeInstanceOf(Date);
      expect(await listingsOf(sourceId)).toEqual(listingsBefore);
      expect(await queuedCount()).toBe(queuedBefore);
      return error;
    };

    it('should store a real response, record a succeeded run and queue its listings for classification', async () => {
      hf.route('real', byDate({ [FIXTURE_DATE]: answer(200, FIXTURE_BODY) }));

      const { fetchRunId } = await context.fetcher.fetch('real', FIXTURE_DATE);

      const [run] = await runsOf('real');
      expect(run).toMatchObject({
        id: fetchRunId,
        listingDate: FIXTURE_DATE,
        status: 'succeeded',
        httpStatus: 200,
        itemsSeen: 29,
        itemsNew: 29,
        error: null,
      });
      expect(run.finishedAt).toBeInstanceOf(Date);

      const listings = await listingsOf('real');
      expect(listings.map((listing) => listing.externalId)).toEqual([...FIXTURE_IDS].sort());
      expect(new Set(listings.map((listing) => listing.fetchRunId))).toEqual(new Set([fetchRunId]));
      expect(listings.filter((listing) => listing.classifiedAt !== null)).toEqual([]);
      expect(listings.find((listing) => listing.externalId === '2410.17243')).toMatchObject({
        arxivId: '2410.17243',
        title: 'Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss',
        upvotes: 64,
        listedAt: new Date('2024-10-25T00:57:09.392Z'),
        url: 'https://huggingface.co/papers/2410.17243',
      });

      // One batch job carries the page's listings, by id only.
      const [job, ...others] = await jobsOf('real');
      expect(others).toEqual([]);
      expect(job.name).toBe(JobName.ListingsClassify);
      expect(Object.keys(job.data)).toEqual(['listingIds']);
      expect([...job.data.listingIds].sort()).toEqual(listings.map((listing) => listing.id).sort());
      expect(job.id).toMatch(/^listings-[0-9a-f]{32}$/);

      const [request] = hf.requestsFor('real');
      expect(hf.requestsFor('real')).toHaveLength(1);
      expect(Object.fromEntries(request.query)).toEqual({ date: FIXTURE_DATE, limit: '100', p: '0' });
      expect(request.headers.accept).toBe('application/json');
    });

    it('should store and queue nothing new when the same date is fetched twice', async () => {
      hf.route('twice', byDate({ [FIXTURE_DATE]: answer(200, FIXTURE_BODY) }));
      const first = await context.fetcher.fetch('twice', FIXTURE_DATE);
      const queuedAfterFirst = await queuedCount();

      const second = await context.fetcher.fetch('twice', FIXTURE_DATE);

      expect(second.fetchRunId).not.toBe(first.fetchRunId);
      const runs = await runsOf('twice');
      expect(runs).toHaveLength(2);
      expect(runs.find((run) => run.id === second.fetchRunId)).toMatchObject({
        status: 'succeeded',
        httpStatus: 200,
        itemsSeen: 29,
        itemsNew: 0,
        error: null,
      });
      const listings = await listingsOf('twice');
      expect(listings).toHaveLength(29);
      expect(listings.every((listing) => listing.fetchRunId === first.fetchRunId)).toBe(true);
      expect(await queuedListingsOf('twice')).toHaveLength(29);
      expect(await queuedCount()).toBe(queuedAfterFirst);
    });

    it('should follow the pages until a short one and store every entry', async () => {
      const entries = generatedEntries(150);
      hf.route('paged', paginated(entries));

      const { fetchRunId } = await context.fetcher.fetch('paged', FIXTURE_DATE);

      expect(hf.requestsFor('paged').map((request) => Object.fromEntries(request.query))).toEqual([
        { date: FIXTURE_DATE, limit: '100', p: '0' },
        { date: FIXTURE_DATE, limit: '100', p: '1' },
      ]);
      const listings = await listingsOf('paged');
      expect(listings.map((listing) => listing.externalId)).toEqual(entries.map((entry) => entry.paper.id).sort());
      expect(await context.runs.findOneBy({ id: fetchRunId })).toMatchObject({
        status: 'succeeded',
        itemsSeen: 150,
        itemsNew: 150,
        error: null,
      });
      expect(await queuedListingsOf('paged')).toHaveLength(150);
    });

    it('should ask for one more page when the last one is exactly full', async () => {
      const entries = generatedEntries(200);
      hf.route('paged-exact', paginated(entries));

      const { fetchRunId } = await context.fetcher.fetch('paged-exact', FIXTURE_DATE);

      expect(hf.requestsFor('paged-exact').map((request) => request.query.get('p'))).toEqual(['0', '1', '2']);
      expect(await listingsOf('paged-exact')).toHaveLength(200);
      expect(await context.runs.findOneBy({ id: fetchRunId })).toMatchObject({
        status: 'succeeded',
        itemsSeen: 200,
        itemsNew: 200,
      });
    });

    it('should fail the run on a 200 HTML error page and leave earlier listings untouched', async () => {
      const html = '<html>\n<head><title>502 Bad Gateway</title></head>\n<body>Bad gateway</body>\n</html>';
      hf.route(
        'html-page',
        byDate({
          [FIXTURE_DATE]: answer(200, FIXTURE_BODY),
          [NEXT_DATE]: answer(200, html, { 'content-type': 'text/html' }),
        }),
      );
      await context.fetcher.fetch('html-page', FIXTURE_DATE);
      const stored = await listingsOf('html-page');
      expect(stored).toHaveLength(29);

      const error = await expectFailedFetch('html-page', NEXT_DATE, 200);

      expect(error).not.toBeInstanceOf(PermanentError);
      expect(error.message).toMatch(
        /^Source "html-page": http:\/\/127\.0\.0\.1:\d+\/html-page\/api\/daily_papers for date 2024-10-26, page 0: Hugging Face answer is not JSON \(.+\); it starts with "<html> <head><title>502/s,
      );
      expect(await listingsOf('html-page')).toEqual(stored);
      expect(await queuedListingsOf('html-page')).toHaveLength(29);
    });

    it('should fail the run on truncated JSON', async () => {
      hf.route('truncated-json', answer(200, FIXTURE_BODY.slice(0, 4000)));

      const error = await expectFailedFetch('truncated-json', FIXTURE_DATE, 200);

      expect(error.message).toMatch(
        /^Source "truncated-json": .+ for date 2024-10-25, page 0: Hugging Face answer is not JSON \(.+\); it starts with "\[\{"paper":\{"id":"2410\.17243"/s,
      );
      expect(await listingsOf('truncated-json')).toEqual([]);
    });

    it('should fail the run on a JSON object instead of a list of papers', async () => {
      hf.route('json-object', answer(200, JSON.stringify({ error: 'Invalid date' })));

      const error = await expectFailedFetch('json-object', FIXTURE_DATE, 200);

      expect(error.message).toBe(
        `Source "json-object": ${hf.urlFor('json-object')} for date 2024-10-25, page 0: ` +
          'Hugging Face answer is not an array of papers (got an object)',
      );
      expect(await listingsOf('json-object')).toEqual([]);
    });

    it('should store the good items of a batch with broken ones and record why each was skipped', async () => {
      const [first, second, third, fourth, fifth] = FIXTURE.map((entry) => structuredClone<HfEntry>(entry));
      delete second.paper.id;
      delete third.title;
      delete third.paper.title;
      fourth.publishedAt = 'yesterday';
      delete fourth.paper.publishedAt;
      hf.route('broken-items', answer(200, JSON.stringify([first, second, third, fourth, fifth, first, null])));

      const { fetchRunId } = await context.fetcher.fetch('broken-items', FIXTURE_DATE);

      const run = await context.runs.findOneByOrFail({ id: fetchRunId });
      expect(run).toMatchObject({ status: 'succeeded', httpStatus: 200, itemsSeen: 2, itemsNew: 2 });
      expect(run.error?.split('\n')).toEqual([
        'page 0: entry 1: paper has no id',
        `page 0: entry 2: paper ${FIXTURE_IDS[2]} has no title`,
        `page 0: entry 3: paper ${FIXTURE_IDS[3]} has no valid publishedAt date`,
        `page 0: entry 5: paper ${FIXTURE_IDS[0]} listed twice; kept the first`,
        'page 0: entry 6: no "paper" object',
      ]);
      const listings = await listingsOf('broken-items');
      expect(listings.map((listing) => listing.externalId)).toEqual([FIXTURE_IDS[0], FIXTURE_IDS[4]].sort());
      expect(await queuedListingsOf('broken-items')).toHaveLength(2);
    });

    it.each<HttpFailure>([
      { status: 500, headers: {}, kind: 'transient', detail: 'answered HTTP 500 for date 2024-10-25, page 0' },
      {
        status: 429,
        headers: { 'retry-after': '120' },
        kind: 'transient',
        detail: 'answered HTTP 429 for date 2024-10-25, page 0 (Retry-After: 120)',
      },
      { status: 404, headers: {}, kind: 'permanent', detail: 'answered HTTP 404 for date 2024-10-25, page 0: ' },
      { status: 400, headers: {}, kind: 'permanent', detail: 'answered HTTP 400 for date 2024-10-25, page 0: ' },
    ])('should fail the run with a $kind error on HTTP $status', async ({ status, headers, kind, detail }) => {
      const sourceId = `http-${status}`;
      const body = JSON.stringify({ error: `status ${status}` });
      hf.route(sourceId, answer(status, body, headers));

      const error = await expectFailedFetch(sourceId, FIXTURE_DATE, status);

      expect(error.message).toContain(`Source "${sourceId}": ${hf.urlFor(sourceId)} ${detail}`);
      expect(error.message).not.toContain('limit=');
      if (kind === 'permanent') {
        expect(error).toBeInstanceOf(PermanentError);
        expect(error.message).toContain(body);
      } else {
        // Not permanent: the fetch job's retries with backoff apply.
        expect(error).not.toBeInstanceOf(PermanentError);
      }
      expect(hf.requestsFor(sourceId)).toHaveLength(1);
    });

    it('should refuse an unknown source with a permanent error naming it and record no run', async () => {
      const error = await rejectionOf(context.fetcher.fetch('no-such-source', FIXTURE_DATE));

      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('"no-such-source"');
      expect(await context.runs.countBy({ sourceId: 'no-such-source' })).toBe(0);
    });

    it('should refuse an impossible listing date with a permanent error and record no run', async () => {
      hf.route('real', byDate({ [FIXTURE_DATE]: answer(200, FIXTURE_BODY) }));
      const runsBefore = await context.runs.countBy({ sourceId: 'real' });

      const error = await rejectionOf(context.fetcher.fetch('real', '2024-02-30'));

      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toBe('"2024-02-30" is not a calendar date (YYYY-MM-DD)');
      expect(await context.runs.countBy({ sourceId: 'real' })).toBe(runsBefore);
    });

    it('should refuse a source dropped from the sources file with a permanent error and fetch nothing', async () => {
      hf.route('retired', answer(200, FIXTURE_BODY));

      const error = await rejectionOf(context.fetcher.fetch('retired', FIXTURE_DATE));

      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toBe('Source "retired" is no longer in the sources file');
      expect(await runsOf('retired')).toEqual([]);
      expect(hf.requestsFor('retired')).toEqual([]);
    });
  });

  describe('with private targets refused', () => {
    let context: FetcherContext;

    beforeAll(async () => {
      setEnv({ ALLOW_PRIVATE_TARGETS: 'false' });
      context = await createFetcherContext([sourceFor('loopback-ip'), sourceFor('loopback-name', 'localhost')]);
    });

    afterAll(async () => {
      await context?.app.close();
    });

    it.each([
      {
        sourceId: 'loopback-ip',
        blocked: /127\.0\.0\.1 is a loopback address; only public unicast targets are allowed/,
      },
      {
        sourceId: 'loopback-name',
        blocked: /localhost resolves to (127\.0\.0\.1|::1), which is a loopback address; only public unicast targets/,
      },
    ])('should refuse the $sourceId source without sending it anything', async ({ sourceId, blocked }) => {
      hf.route(sourceId, answer(200, FIXTURE_BODY));
      const queuedBefore = await context.classify.getJobCounts('waiting', 'delayed', 'prioritized');

      const error = await rejectionOf(context.fetcher.fetch(sourceId, FIXTURE_DATE));

      // Refused targets do not change on retry: the job fails at once.
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toMatch(blocked);
      const runs = await context.runs.findBy({ sourceId });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: 'failed', itemsSeen: 0, itemsNew: 0, error: error.message });
      expect(await context.listings.countBy({ sourceId })).toBe(0);
      expect(await context.classify.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual(queuedBefore);
      expect(hf.requestsFor(sourceId)).toEqual([]);
    });
  });
});
