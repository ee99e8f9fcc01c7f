import { readFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Job } from 'bullmq';
import { SourceDefinition } from '@libs/database';
import { JobData, JobName, JobProducer, QueueName } from '@libs/queues';
import { PermanentError } from '@libs/domain';
import { createFetcherContext, FetcherContext, rejectionOf, TestEnv } from '../../../test/support/fetcher-context';
import { LoopbackServer } from '../../../test/support/loopback-server';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { CATCH_UP_HORIZON_DAYS } from './listing-dates';
import { ARXIV_API_PAGE_SIZE } from './sources/arxiv/arxiv-api.client';

const REDIS_URL = 'redis://127.0.0.1:6379';
const FIXTURES = join(__dirname, '../../../test/fixtures');

interface HfEntry {
  paper: Record<string, unknown>;
  [key: string]: unknown;
}

/** A real answer of the Daily Papers API; each date gets its own copies under new arXiv ids. */
const HF_FIXTURE = JSON.parse(readFileSync(join(FIXTURES, 'hf/daily-papers-2024-10-25.json'), 'utf8')) as HfEntry[];
const hfEntriesFor = (date: string, count = 3): HfEntry[] =>
  HF_FIXTURE.slice(0, count).map((entry, index) => {
    const copy = structuredClone(entry);
    copy.paper.id = `2410.${date.slice(8, 10)}${String(index).padStart(3, '0')}`;
    copy.publishedAt = `${date}T08:00:00.000Z`;
    return copy;
  });

/** A real arXiv API answer (11 entries), cut into entries to serve any number of them, paged. */
const API_FIXTURE = readFileSync(join(FIXTURES, 'arxiv/api-cs.CL-2024-10-24.xml'), 'utf8');
const API_HEAD = API_FIXTURE.slice(0, API_FIXTURE.indexOf('<entry>'));
const API_ENTRIES = API_FIXTURE.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
const apiEntries = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => {
    const entry = API_ENTRIES[index % API_ENTRIES.length];
    const id = /abs\/(\d{4}\.\d{5})v/.exec(entry)?.[1] ?? '';
    return count <= API_ENTRIES.length ? entry : entry.replaceAll(id, `2410.3${String(index).padStart(4, '0')}`);
  });
const apiPage = (entries: string[], total: number, start = 0): string =>
  `${API_HEAD.replace(/(totalResults[^>]*>)\d+/, `$1${total}`).replace(/(startIndex[^>]*>)\d+/, `$1${start}`)}${entries.join('\n  ')}\n</feed>\n`;

const sendXml = (res: ServerResponse, status: number, body: string): void => {
  res.writeHead(status, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(body);
};

describe('SourceFetcherService with dated sources', () => {
  const prefix = testQueuePrefix('dated');
  const upstream = new LoopbackServer();
  const env = new TestEnv();
  let database: TestDatabase;
  let context: FetcherContext;
  /** Per source, the entries each listing date has. */
  const hfDays = new Map<string, Record<string, HfEntry[]>>();
  const hfFailing = new Set<string>();
  /** `${source} ${date}` answered with 404: a date that can never be fetched. */
  const hfMissing = new Set<string>();
  const apiDays = new Map<string, Record<string, string[]>>();

  const HF_SOURCES = ['hf-catch-up', 'hf-resume', 'hf-horizon', 'hf-quiet', 'hf-skip', 'hf-enriched'];
  const API_SOURCES = ['arxiv-api', 'arxiv-api-scheduled', 'arxiv-api-refused', 'arxiv-api-short', 'arxiv-api-lookup'];
  const API_SELECTION = 'cat:cs.CL OR cat:cs.LG';

  const hfRoute = (id: string): void =>
    upstream.route(`/${id}/api/daily_papers`, (_req, res, url) => {
      const date = url.searchParams.get('date') ?? '';
      if (hfFailing.has(`${id} ${date}`)) {
        res.writeHead(500).end('{"error":"Internal Error"}');
        return;
      }
      if (hfMissing.has(`${id} ${date}`)) {
        res.writeHead(404).end('{"error":"Not found"}');
        return;
      }
      const limit = Number(url.searchParams.get('limit'));
      const page = Number(url.searchParams.get('p'));
      const entries = (hfDays.get(id)?.[date] ?? []).slice(page * limit, (page + 1) * limit);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
    });

  /** Answers like export.arxiv.org: the entries of the date in `search_query`, sliced by start and max_results. */
  const apiRoute = (id: string): void =>
    upstream.route(`/${id}/api/query`, (_req, res, url) => {
      const query = url.searchParams.get('search_query') ?? '';
      const match = /^\(cat:cs\.CL OR cat:cs\.LG\) AND submittedDate:\[(\d{8})0000 TO (\d{8})2359\]$/.exec(query);
      if (!match || match[1] !== match[2]) {
        sendXml(res, 400, readFileSync(join(FIXTURES, 'arxiv/api-error.xml'), 'utf8'));
        return;
      }
      const date = `${match[1].slice(0, 4)}-${match[1].slice(4, 6)}-${match[1].slice(6)}`;
      const entries = apiDays.get(id)?.[date] ?? [];
      const start = Number(url.searchParams.get('start'));
      const size = Number(url.searchParams.get('max_results'));
      sendXml(res, 200, apiPage(entries.slice(start, start + size), entries.length, start));
    });

  /** Answers `id_list` lookups like export.arxiv.org: the entries it knows, latest version unless one is named. */
  const lookupRoute = (id: string): void =>
    upstream.route(`/${id}/api/query`, (_req, res, url) => {
      const ids = (url.searchParams.get('id_list') ?? '').split(',');
      const entries = ids.flatMap((wanted) => {
        const entry = API_ENTRIES.find((candidate) => candidate.includes(`abs/${wanted.replace(/v\d+$/, '')}v`));
        return entry ? [entry] : [];
      });
      sendXml(res, 200, apiPage(entries, entries.length));
    });

  const definitions = (): SourceDefinition[] => [
    ...HF_SOURCES.map((id) => ({
      id,
      kind: 'hf-daily-papers',
      url: upstream.url(`/${id}/api/daily_papers`),
      schedule: '15 */4 * * *',
      timezone: 'UTC',
      ...(id === 'hf-enriched' ? { lookupWith: 'arxiv-api-lookup' } : {}),
    })),
    ...API_SOURCES.map((id) => {
      const url = new URL(upstream.url(`/${id}/api/query`));
      url.searchParams.set('search_query', API_SELECTION);
      return { id, kind: 'arxiv-api', url: url.toString(), schedule: '0 7 * * *', timezone: 'UTC' };
    }),
  ];

  const at = (iso: string): Date => new Date(iso);
  const requestedDates = (id: string): string[] =>
    upstream.requestsTo(`/${id}/api/daily_papers`).map((request) => request.query.get('date') ?? '');

  beforeAll(async () => {
    database = await createTestDatabase('dated');
    await upstream.start();
    HF_SOURCES.forEach(hfRoute);
    API_SOURCES.forEach(apiRoute);
    lookupRoute('arxiv-api-lookup');
    env.set({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, ALLOW_PRIVATE_TARGETS: 'true' });
    context = await createFetcherContext(definitions());
  });

  afterAll(async () => {
    await context?.close();
    await upstream.stop();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    env.restore();
  });

  it('should catch up every day missed while stopped in one scheduled run, oldest first, and add nothing on the next', async () => {
    const days = ['2024-10-21', '2024-10-22', '2024-10-23', '2024-10-24', '2024-10-25'];
    hfDays.set('hf-catch-up', Object.fromEntries(days.map((day) => [day, hfEntriesFor(day)])));
    // Tuesday: the fetcher runs, then stops for three days.
    await context.fetcher.fetch('hf-catch-up', undefined, at('2024-10-22T10:15:00Z'));
    expect((await context.source('hf-catch-up')).cursorDate).toBe('2024-10-22');
    const requestsBefore = requestedDates('hf-catch-up').length;

    // Friday: one scheduled run.
    const caughtUp = await context.fetcher.fetch('hf-catch-up', undefined, at('2024-10-25T10:15:00Z'));

    expect(requestedDates('hf-catch-up').slice(requestsBefore)).toEqual(['2024-10-23', '2024-10-24', '2024-10-25']);
    expect(caughtUp.fetchRunIds).toHaveLength(3);
    expect(caughtUp.fetchRunId).toBe(caughtUp.fetchRunIds[2]);
    const caughtUpRuns = await Promise.all(caughtUp.fetchRunIds.map((id) => context.runs.findOneByOrFail({ id })));
    expect(caughtUpRuns.map((run) => [run.listingDate, run.status, run.itemsSeen, run.itemsNew])).toEqual([
      ['2024-10-23', 'succeeded', 3, 3],
      ['2024-10-24', 'succeeded', 3, 3],
      ['2024-10-25', 'succeeded', 3, 3],
    ]);
    const listings = await context.listingsOf('hf-catch-up');
    expect(listings).toHaveLength(15);
    expect(await context.queuedListingsOf('hf-catch-up')).toHaveLength(15);
    expect(await context.source('hf-catch-up')).toMatchObject({ cursorDate: '2024-10-25', health: 'healthy' });

    // The same run again (the schedule fires every four hours): it asks again for the dates still growing.
    const again = await context.fetcher.fetch('hf-catch-up', undefined, at('2024-10-25T14:15:00Z'));

    const againRuns = await Promise.all(again.fetchRunIds.map((id) => context.runs.findOneByOrFail({ id })));
    expect(againRuns.map((run) => [run.listingDate, run.itemsNew])).toEqual([
      ['2024-10-24', 0],
      ['2024-10-25', 0],
    ]);
    expect(await context.listingsOf('hf-catch-up')).toEqual(listings);
    expect(await context.queuedListingsOf('hf-catch-up')).toHaveLength(15);
  });

  it('should stop at the first date that fails and resume there on the next run', async () => {
    const days = ['2024-10-21', '2024-10-22', '2024-10-23', '2024-10-24', '2024-10-25'];
    hfDays.set('hf-resume', Object.fromEntries(days.map((day) => [day, hfEntriesFor(day)])));
    await context.fetcher.fetch('hf-resume', undefined, at('2024-10-22T10:15:00Z'));
    hfFailing.add('hf-resume 2024-10-24');
    const before = requestedDates('hf-resume').length;

    const error = await rejectionOf(context.fetcher.fetch('hf-resume', undefined, at('2024-10-25T10:15:00Z')));

    expect(error.message).toContain('answered HTTP 500 for date 2024-10-24, page 0');
    expect(requestedDates('hf-resume').slice(before)).toEqual(['2024-10-23', '2024-10-24']);
    expect(await context.source('hf-resume')).toMatchObject({ cursorDate: '2024-10-23', consecutiveFailures: 1 });

    hfFailing.delete('hf-resume 2024-10-24');
    const resumed = await context.fetcher.fetch('hf-resume', undefined, at('2024-10-25T10:45:00Z'));

    expect(requestedDates('hf-resume').slice(before + 2)).toEqual(['2024-10-24', '2024-10-25']);
    expect(resumed.fetchRunIds).toHaveLength(2);
    expect(await context.listingsOf('hf-resume')).toHaveLength(15);
    expect(await context.source('hf-resume')).toMatchObject({ cursorDate: '2024-10-25', consecutiveFailures: 0 });
  });

  it('should go past a date that can never be fetched, record it and call the source degraded', async () => {
    const days = ['2024-10-22', '2024-10-23', '2024-10-24', '2024-10-25'];
    hfDays.set('hf-skip', Object.fromEntries(days.map((day) => [day, hfEntriesFor(day)])));
    await context.fetcher.fetch('hf-skip', undefined, at('2024-10-22T10:15:00Z'));
    hfMissing.add('hf-skip 2024-10-23');
    const before = requestedDates('hf-skip').length;

    const result = await context.fetcher.fetch('hf-skip', undefined, at('2024-10-25T10:15:00Z'));

    expect(requestedDates('hf-skip').slice(before)).toEqual(['2024-10-23', '2024-10-24', '2024-10-25']);
    expect(result.fetchRunIds).toHaveLength(2);
    const runs = await context.runs.findBy({ sourceId: 'hf-skip', listingDate: '2024-10-23' });
    expect(runs.map((run) => [run.status, run.httpStatus])).toEqual([['failed', 404]]);
    const source = await context.source('hf-skip');
    expect(source).toMatchObject({ cursorDate: '2024-10-25', health: 'degraded', consecutiveFailures: 0 });
    expect(source.healthReason).toContain('2024-10-23 could not be fetched');
  });

  it('should not reach back further than the horizon', async () => {
    hfDays.set('hf-horizon', { '2024-10-01': hfEntriesFor('2024-10-01') });
    await context.fetcher.fetch('hf-horizon', '2024-10-01', at('2024-10-01T10:00:00Z'));
    // An explicit date is a backfill: it leaves the cursor alone.
    expect((await context.source('hf-horizon')).cursorDate).toBeNull();
    await context.fetcher.fetch('hf-horizon', undefined, at('2024-10-02T10:00:00Z'));
    const before = requestedDates('hf-horizon').length;

    await context.fetcher.fetch('hf-horizon', undefined, at('2024-10-25T10:00:00Z'));

    const dates = requestedDates('hf-horizon').slice(before);
    expect(dates).toHaveLength(CATCH_UP_HORIZON_DAYS + 1);
    expect(dates[0]).toBe('2024-10-18');
    expect(dates.at(-1)).toBe('2024-10-25');
  });

  it('should call a dated source degraded for a weekday it listed nothing on, and not for a weekend', async () => {
    hfDays.set('hf-quiet', {});
    // Sunday: Saturday and Sunday are empty, as Hugging Face lists on weekdays only.
    await context.fetcher.fetch('hf-quiet', undefined, at('2024-10-27T10:00:00Z'));
    expect(await context.source('hf-quiet')).toMatchObject({ health: 'healthy', healthReason: null });

    // Tuesday: Monday is settled and empty; Tuesday may still fill up.
    await context.fetcher.fetch('hf-quiet', undefined, at('2024-10-29T10:00:00Z'));

    const quiet = await context.source('hf-quiet');
    expect(quiet).toMatchObject({
      health: 'degraded',
      healthReason: 'nothing listed on 2024-10-28, when the source lists',
      healthChangedAt: at('2024-10-29T10:00:00Z'),
    });

    hfDays.set('hf-quiet', { '2024-10-29': hfEntriesFor('2024-10-29') });
    await context.fetcher.fetch('hf-quiet', undefined, at('2024-10-30T10:00:00Z'));

    expect(await context.source('hf-quiet')).toMatchObject({ health: 'healthy', healthReason: null });
  });

  it('should page through the arXiv API for one submission date with the source selection', async () => {
    const entries = apiEntries(2 * ARXIV_API_PAGE_SIZE + 50);
    apiDays.set('arxiv-api', { '2024-10-24': entries });

    const { fetchRunId, fetchRunIds } = await context.fetcher.fetch(
      'arxiv-api',
      '2024-10-24',
      at('2024-10-26T07:00:00Z'),
    );

    expect(fetchRunIds).toEqual([fetchRunId]);
    const requests = upstream.requestsTo('/arxiv-api/api/query');
    expect(requests.map((request) => Object.fromEntries(request.query))).toEqual(
      [0, 200, 400].map((start) => ({
        search_query: '(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202410240000 TO 202410242359]',
        sortBy: 'submittedDate',
        sortOrder: 'ascending',
        start: String(start),
        max_results: String(ARXIV_API_PAGE_SIZE),
      })),
    );
    expect(requests[0].headers.accept).toBe('application/atom+xml');
    expect(await context.runs.findOneByOrFail({ id: fetchRunId })).toMatchObject({
      status: 'succeeded',
      listingDate: '2024-10-24',
      httpStatus: 200,
      itemsSeen: 450,
      itemsNew: 450,
      error: null,
    });
    const stored = await context.listingsOf('arxiv-api');
    expect(stored).toHaveLength(450);
    expect(stored.find((listing) => listing.arxivId === '2410.30006')).toMatchObject({
      externalId: '2410.30006',
      arxivVersion: 1,
      doi: '10.48550/arxiv.2410.30006',
      categories: ['cs.CL'],
      url: 'https://arxiv.org/abs/2410.30006',
    });

    const again = await context.fetcher.fetch('arxiv-api', '2024-10-24', at('2024-10-26T08:00:00Z'));

    expect(await context.runs.findOneByOrFail({ id: again.fetchRunId })).toMatchObject({ itemsSeen: 450, itemsNew: 0 });
    expect(await context.listingsOf('arxiv-api')).toHaveLength(450);
  });

  it('should ask the arXiv API again for the newest dates, which fill up for days, and judge only settled ones', async () => {
    apiDays.set('arxiv-api-scheduled', { '2024-10-24': apiEntries(11) });

    // Tuesday: today's submissions are not in the API yet; the five days before may still grow.
    const first = await context.fetcher.fetch('arxiv-api-scheduled', undefined, at('2024-10-29T07:00:00Z'));

    const runs = await Promise.all(first.fetchRunIds.map((id) => context.runs.findOneByOrFail({ id })));
    expect(runs.map((run) => [run.listingDate, run.itemsSeen])).toEqual([
      ['2024-10-24', 11],
      ['2024-10-25', 0],
      ['2024-10-26', 0],
      ['2024-10-27', 0],
      ['2024-10-28', 0],
    ]);
    // Only Thursday is settled, and it listed papers.
    expect(await context.source('arxiv-api-scheduled')).toMatchObject({ cursorDate: '2024-10-28', health: 'healthy' });

    // Wednesday: Friday is settled now, and arXiv had nothing for it.
    await context.fetcher.fetch('arxiv-api-scheduled', undefined, at('2024-10-30T07:00:00Z'));

    expect(await context.source('arxiv-api-scheduled')).toMatchObject({
      cursorDate: '2024-10-29',
      health: 'degraded',
      healthReason: 'nothing listed on 2024-10-25, when the source lists',
    });
  });

  it('should fail the run for good when the arXiv API answers its error feed', async () => {
    upstream.route('/arxiv-api-refused/api/query', (_req, res) =>
      sendXml(res, 200, readFileSync(join(FIXTURES, 'arxiv/api-error.xml'), 'utf8')),
    );

    const error = await rejectionOf(
      context.fetcher.fetch('arxiv-api-refused', '2024-10-24', at('2024-10-26T07:00:00Z')),
    );

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(
      `Source "arxiv-api-refused": ${upstream.url('/arxiv-api-refused/api/query')}?… for 2024-10-24, start 0: ` +
        'the arXiv API refused the query: incorrect id format for 1234.12345 ' +
        '(http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345)',
    );
    expect(await context.runsOf('arxiv-api-refused')).toEqual([
      expect.objectContaining({ status: 'failed', httpStatus: 200, itemsSeen: 0, error: error.message }),
    ]);
  });

  it('should fail the run and store nothing when a page comes back empty before the end', async () => {
    const entries = apiEntries(ARXIV_API_PAGE_SIZE + 10);
    upstream.route('/arxiv-api-short/api/query', (_req, res, url) =>
      sendXml(
        res,
        200,
        url.searchParams.get('start') === '0'
          ? apiPage(entries.slice(0, ARXIV_API_PAGE_SIZE), 210)
          : apiPage([], 210, 200),
      ),
    );

    const error = await rejectionOf(context.fetcher.fetch('arxiv-api-short', '2024-10-24', at('2024-10-26T07:00:00Z')));

    expect(error).not.toBeInstanceOf(PermanentError);
    expect(error.message).toBe(
      `Source "arxiv-api-short": ${upstream.url('/arxiv-api-short/api/query')}?… answered an empty page for 2024-10-24, start 200 of 210 results`,
    );
    expect(await context.listingsOf('arxiv-api-short')).toEqual([]);
    expect((await context.runsOf('arxiv-api-short'))[0]).toMatchObject({
      status: 'failed',
      httpStatus: 200,
      itemsNew: 0,
    });
  });

  it('should look papers up by arXiv id, store them in one run without a listing date, and note the unknown ones', async () => {
    const { fetchRunId, fetchRunIds } = await context.fetcher.lookup(
      'arxiv-api-lookup',
      ['arXiv:2410.18451', 'https://arxiv.org/abs/2410.18533v1', '2410.99999', '2410.18451v1'],
      at('2024-10-28T09:00:00Z'),
    );

    expect(fetchRunIds).toEqual([fetchRunId]);
    const [request] = upstream.requestsTo('/arxiv-api-lookup/api/query');
    expect(request.query.get('id_list')).toBe('2410.18451v1,2410.18533v1,2410.99999');
    expect(request.query.has('search_query')).toBe(false);
    const stored = await context.listingsOf('arxiv-api-lookup');
    expect(stored.map((listing) => [listing.arxivId, listing.arxivVersion])).toEqual([
      ['2410.18451', 1],
      ['2410.18533', 1],
    ]);
    expect((await context.queuedListingsOf('arxiv-api-lookup')).sort()).toEqual(
      stored.map((listing) => listing.id).sort(),
    );
    expect(await context.runsOf('arxiv-api-lookup')).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        listingDate: null,
        itemsSeen: 2,
        itemsNew: 2,
        error: 'the arXiv API does not know 2410.99999',
      }),
    ]);
    // A lookup moves no cursor, and the same lookup again adds nothing.
    expect(await context.source('arxiv-api-lookup')).toMatchObject({ cursorDate: null });
    await context.fetcher.lookup('arxiv-api-lookup', ['2410.18451'], at('2024-10-28T09:05:00Z'));
    expect(await context.listingsOf('arxiv-api-lookup')).toHaveLength(2);
  });

  it('should refuse a lookup on a source that is not arxiv-api, or of strings that are not arXiv ids', async () => {
    const wrongKind = await rejectionOf(context.fetcher.lookup('hf-quiet', ['2410.18451']));
    expect(wrongKind).toBeInstanceOf(PermanentError);
    expect(wrongKind.message).toBe(
      'Source "hf-quiet" is a hf-daily-papers source: lookups by id need an arxiv-api source',
    );
    const notIds = await rejectionOf(context.fetcher.lookup('arxiv-api-lookup', ['2410.18451', 'hello']));
    expect(notIds.message).toBe('Not arXiv ids: "hello"');
  });

  it('should queue one arXiv lookup of the new listings of a source with lookupWith, and none when nothing is new', async () => {
    hfDays.set('hf-enriched', { '2024-10-24': hfEntriesFor('2024-10-24') });
    const fetchQueue = context.app.get(JobProducer).queue(QueueName.Fetch);
    const lookups = async (): Promise<JobData<JobName.SourceLookup>[]> =>
      ((await fetchQueue.getJobs(['waiting', 'delayed', 'prioritized'])) as Job[])
        .filter((job) => (job.name as JobName) === JobName.SourceLookup)
        .map((job) => job.data as JobData<JobName.SourceLookup>);

    await context.fetcher.fetch('hf-enriched', '2024-10-24', at('2024-10-26T08:00:00Z'));

    expect(await lookups()).toEqual([
      { sourceId: 'arxiv-api-lookup', arxivIds: ['2410.24000', '2410.24001', '2410.24002'] },
    ]);
    await context.fetcher.fetch('hf-enriched', '2024-10-24', at('2024-10-26T09:00:00Z'));
    expect(await lookups()).toHaveLength(1);
    // Sources without lookupWith queue none.
    expect((await lookups()).every((lookup) => lookup.sourceId === 'arxiv-api-lookup')).toBe(true);
  });
});
