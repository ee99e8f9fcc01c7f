import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SourceDefinition, SourceRepository } from '@libs/database';
import { PermanentError } from '@libs/domain';
import { createFetcherContext, FetcherContext, rejectionOf, TestEnv } from '../../../test/support/fetcher-context';
import { answer, feed, LoopbackServer, redirect } from '../../../test/support/loopback-server';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';

const REDIS_URL = 'redis://127.0.0.1:6379';
const FIXTURES = join(__dirname, '../../../test/fixtures');
const ARXIV_RSS = readFileSync(join(FIXTURES, 'arxiv/rss-cs.CL+cs.LG-2024-10-25.xml'));
const ARXIV_ATOM = readFileSync(join(FIXTURES, 'arxiv/atom-cs.CL+cs.LG-2024-10-25.xml'));
const BIORXIV = readFileSync(join(FIXTURES, 'feeds/biorxiv-bioinformatics.rdf'));
const JOURNAL_LATIN1 = readFileSync(join(FIXTURES, 'feeds/journal-latin1.rss'));
const BLOG = readFileSync(join(FIXTURES, 'feeds/lab-blog.atom'));
const ARXIV_IDS = [
  '2410.16251v2',
  '2410.17243v2',
  '2410.18234v1',
  '2410.18252v1',
  '2410.18451v1',
  '2410.18533v1',
  '2410.18572v1',
  '2410.18647v1',
  '2410.18693v1',
  '2410.18745v1',
];
// Friday 2024-10-25, after arXiv's Thursday-evening announcement.
const NOW = new Date('2024-10-25T06:00:00Z');
const VALIDATORS = { etag: '"cs.CL+cs.LG-20241025"', lastModified: 'Fri, 25 Oct 2024 04:00:16 GMT' };

describe('SourceFetcherService with feed sources', () => {
  const prefix = testQueuePrefix('feeds');
  const upstream = new LoopbackServer();
  const env = new TestEnv();
  let database: TestDatabase;
  let context: FetcherContext;

  const SOURCES: [id: string, kind: 'arxiv-rss' | 'rss', path?: string][] = [
    ['arxiv-rss', 'arxiv-rss'],
    ['arxiv-atom', 'arxiv-rss'],
    ['unchanged', 'arxiv-rss'],
    ['biorxiv', 'rss'],
    ['journal', 'rss'],
    ['blog', 'rss'],
    ['moved', 'rss', '/moved/old'],
    ['moved-for-now', 'rss', '/moved-for-now/old'],
    ['gone', 'rss'],
    ['html', 'arxiv-rss'],
    ['broken-items', 'rss'],
    ['flaky', 'rss'],
    ['token', 'rss', '/token?key=s3cret'],
    ['revived', 'rss'],
  ];
  const definitions = (): SourceDefinition[] =>
    SOURCES.map(([id, kind, path]) => ({
      id,
      kind,
      url: upstream.url(path ?? `/${id}`),
      schedule: '0 6 * * *',
      timezone: 'UTC',
    }));

  beforeAll(async () => {
    database = await createTestDatabase('feeds');
    await upstream.start();
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

  it('should store an arXiv RSS announcement, queue each listing and keep its validators', async () => {
    upstream.route('/arxiv-rss', feed(ARXIV_RSS, VALIDATORS));

    const { fetchRunId } = await context.fetcher.fetch('arxiv-rss', undefined, NOW);

    const listings = await context.listingsOf('arxiv-rss');
    expect(listings.map((listing) => listing.externalId)).toEqual(ARXIV_IDS);
    expect(listings.find((listing) => listing.arxivId === '2410.17243')).toMatchObject({
      arxivVersion: 2,
      announceType: 'replace-cross',
      doi: '10.48550/arxiv.2410.17243',
      categories: ['cs.CV', 'cs.LG'],
      fetchRunId,
    });
    expect((await context.queuedListingsOf('arxiv-rss')).length).toBe(10);
    expect(await context.runs.findOneByOrFail({ id: fetchRunId })).toMatchObject({
      status: 'succeeded',
      listingDate: '2024-10-25',
      httpStatus: 200,
      itemsSeen: 10,
      itemsNew: 10,
      error: null,
    });
    expect(await context.source('arxiv-rss')).toMatchObject({
      etag: VALIDATORS.etag,
      lastModified: VALIDATORS.lastModified,
      cursorDate: '2024-10-25',
      health: 'healthy',
      consecutiveFailures: 0,
    });
    const [request] = upstream.requestsTo('/arxiv-rss');
    expect(request.headers.accept).toContain('application/rss+xml');
    expect(request.headers['if-none-match']).toBeUndefined();
  });

  it('should send the validators back and record a 304 as a successful run with nothing new', async () => {
    upstream.route('/arxiv-rss', feed(ARXIV_RSS, VALIDATORS));
    const listingsBefore = await context.listingsOf('arxiv-rss');

    const { fetchRunId } = await context.fetcher.fetch('arxiv-rss', undefined, new Date('2024-10-25T12:00:00Z'));

    const request = upstream.requestsTo('/arxiv-rss').at(-1);
    expect(request?.headers['if-none-match']).toBe(VALIDATORS.etag);
    expect(request?.headers['if-modified-since']).toBe(VALIDATORS.lastModified);
    expect(await context.runs.findOneByOrFail({ id: fetchRunId })).toMatchObject({
      status: 'succeeded',
      httpStatus: 304,
      itemsSeen: 0,
      itemsNew: 0,
      error: null,
    });
    expect(await context.listingsOf('arxiv-rss')).toEqual(listingsBefore);
    expect((await context.source('arxiv-rss')).health).toBe('healthy');
  });

  it('should store nothing new when a server ignores the validators and sends the same feed again', async () => {
    upstream.route('/unchanged', answer(200, ARXIV_RSS, { 'content-type': 'application/rss+xml' }));
    await context.fetcher.fetch('unchanged', undefined, NOW);
    const listings = await context.listingsOf('unchanged');
    const jobs = await context.queuedListingsOf('unchanged');

    const { fetchRunId } = await context.fetcher.fetch('unchanged', undefined, NOW);

    expect(await context.runs.findOneByOrFail({ id: fetchRunId })).toMatchObject({ itemsSeen: 10, itemsNew: 0 });
    expect(await context.listingsOf('unchanged')).toEqual(listings);
    expect(await context.queuedListingsOf('unchanged')).toHaveLength(jobs.length);
    // No validators came with it: the next GET is not conditional either.
    expect(upstream.requestsTo('/unchanged').at(-1)?.headers['if-none-match']).toBeUndefined();
  });

  it('should read the Atom variant, gzip-encoded with a byte-order mark, to the same arXiv listings', async () => {
    const body = gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ARXIV_ATOM]));
    upstream.route(
      '/arxiv-atom',
      answer(200, body, { 'content-type': 'application/atom+xml', 'content-encoding': 'gzip' }),
    );

    await context.fetcher.fetch('arxiv-atom', undefined, NOW);

    const strip = ({ id: _id, sourceId: _s, fetchRunId: _r, fetchedAt: _f, ...rest }: Record<string, unknown>) => rest;
    const atom = (await context.listingsOf('arxiv-atom')).map((listing) => strip({ ...listing }));
    const rss = (await context.listingsOf('arxiv-rss')).map((listing) => strip({ ...listing }));
    expect(atom).toEqual(rss);
  });

  it.each([
    { id: 'biorxiv', body: BIORXIV, contentType: 'application/rdf+xml', count: 3, doi: '10.1101/2024.10.22.619563' },
    { id: 'journal', body: JOURNAL_LATIN1, contentType: 'text/xml', count: 3, doi: '10.1234/raa.2024.0143' },
    { id: 'blog', body: BLOG, contentType: 'application/atom+xml; charset=utf-8', count: 3, doi: null },
  ])('should store the $id feed with its identifiers', async ({ id, body, contentType, count, doi }) => {
    upstream.route(`/${id}`, answer(200, body, { 'content-type': contentType }));

    await context.fetcher.fetch(id, undefined, NOW);

    const listings = await context.listingsOf(id);
    expect(listings).toHaveLength(count);
    expect(listings.map((listing) => listing.doi)).toContain(doi);
    expect((await context.runsOf(id))[0]).toMatchObject({
      status: 'succeeded',
      itemsSeen: count,
      itemsNew: count,
      error: null,
    });
  });

  it('should decode a feed in its declared charset', async () => {
    const article = await context.listings.findOneByOrFail({
      sourceId: 'journal',
      externalId: 'https://revista-aa.example.es/articulos/2024/0143',
    });
    expect(article.title).toBe('Aprendizaje por refuerzo con recompensas escasas en robótica móvil');
    expect(article.authors).toEqual(['José María García-López', 'Ana Ibáñez', 'Lukas Müller']);
  });

  it('should follow a chain of permanent redirects, move the source there and ask there next time', async () => {
    upstream.route('/moved/old', redirect(301, '/moved/interim'));
    upstream.route('/moved/interim', redirect(308, '/moved/new'));
    upstream.route(
      '/moved/new',
      feed(BLOG, { etag: '"blog-1"', lastModified: 'Fri, 25 Oct 2024 16:30:00 GMT' }, 'application/atom+xml'),
    );

    const { fetchRunId } = await context.fetcher.fetch('moved', undefined, NOW);

    expect((await context.source('moved')).url).toBe(upstream.url('/moved/new'));
    const run = await context.runs.findOneByOrFail({ id: fetchRunId });
    expect(run).toMatchObject({ status: 'succeeded', httpStatus: 200, itemsNew: 3 });
    expect(run.error).toBe(
      `moved permanently from ${upstream.url('/moved/old')} to ${upstream.url('/moved/new')}; the source now uses the new URL`,
    );

    const again = await context.fetcher.fetch('moved', undefined, NOW);

    expect(upstream.requestsTo('/moved/old')).toHaveLength(1);
    expect(upstream.requestsTo('/moved/new').at(-1)?.headers['if-none-match']).toBe('"blog-1"');
    expect(await context.runs.findOneByOrFail({ id: again.fetchRunId })).toMatchObject({
      httpStatus: 304,
      error: null,
    });
  });

  it('should not move a source that redirects for now (302)', async () => {
    upstream.route('/moved-for-now/old', redirect(302, '/moved-for-now/elsewhere'));
    upstream.route('/moved-for-now/elsewhere', answer(200, BLOG, { 'content-type': 'application/atom+xml' }));

    await context.fetcher.fetch('moved-for-now', undefined, NOW);

    expect((await context.source('moved-for-now')).url).toBe(upstream.url('/moved-for-now/old'));
    expect((await context.runsOf('moved-for-now'))[0].error).toBeNull();
  });

  it('should disable a source that answers 410 Gone, with a permanent error recorded on its run', async () => {
    upstream.route('/gone', answer(410, 'This feed has been discontinued.'));

    const error = await rejectionOf(context.fetcher.fetch('gone', undefined, NOW));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(
      `Source "gone": ${upstream.url('/gone')} answered HTTP 410: it is gone for good, so the source is disabled`,
    );
    expect(await context.runsOf('gone')).toEqual([
      expect.objectContaining({ status: 'failed', httpStatus: 410, itemsSeen: 0, error: error.message }),
    ]);
    const gone = await context.source('gone');
    expect(gone).toMatchObject({ enabled: false, health: 'failing', consecutiveFailures: 1 });
    expect(gone.healthReason).toBe(`gone, so disabled: ${error.message}`);
    expect(gone.healthChangedAt?.getTime()).toBeGreaterThan(0);

    const refused = await rejectionOf(context.fetcher.fetch('gone', undefined, NOW));

    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused.message).toBe(
      `Source "gone" is disabled since ${gone.goneAt?.toISOString()}: ${gone.healthReason} (change its url in the sources file, or run \`sources enable gone\`)`,
    );
    expect(upstream.requestsTo('/gone')).toHaveLength(1);
  });

  it('should remember a 301 and a 410 when the unchanged sources file is read again', async () => {
    // Runs after the redirect and 410 tests: a restart reads the same file.
    const active = await context.app.get(SourceRepository).syncFromFile(definitions());

    expect(active).not.toContain('gone');
    expect(active).toContain('moved');
    expect(await context.source('gone')).toMatchObject({ enabled: false, goneAt: expect.any(Date) });
    expect(await context.source('moved')).toMatchObject({ url: upstream.url('/moved/new'), etag: '"blog-1"' });
  });

  it('should fetch a gone source again once an operator enables it or its url is edited in the sources file', async () => {
    const sources = context.app.get(SourceRepository);
    upstream.route('/revived', answer(410, 'Discontinued.'));
    await rejectionOf(context.fetcher.fetch('revived', undefined, NOW));
    expect(await context.source('revived')).toMatchObject({ enabled: false });

    expect(await sources.enableGone('revived')).toBe(true);
    expect(await sources.enableGone('blog')).toBe(false);
    upstream.route(
      '/revived',
      feed(BLOG, { etag: '"revived-1"', lastModified: 'Fri, 25 Oct 2024 16:30:00 GMT' }, 'application/atom+xml'),
    );
    await context.fetcher.fetch('revived', undefined, NOW);

    expect(await context.source('revived')).toMatchObject({ enabled: true, goneAt: null, etag: '"revived-1"' });
    expect((await context.runsOf('revived')).at(-1)).toMatchObject({ status: 'succeeded', itemsNew: 3 });

    upstream.route('/revived', answer(410, 'Discontinued again.'));
    await rejectionOf(context.fetcher.fetch('revived', undefined, NOW));
    const edited = definitions().map((definition) =>
      definition.id === 'revived' ? { ...definition, url: upstream.url('/revived/v2') } : definition,
    );
    expect(await sources.syncFromFile(edited)).toContain('revived');
    expect(await context.source('revived')).toMatchObject({
      enabled: true,
      goneAt: null,
      etag: null,
      url: upstream.url('/revived/v2'),
    });
  });

  it('should fail the run on an HTML page served with 200, naming the source and the URL, and keep earlier listings', async () => {
    upstream.route('/html', answer(200, ARXIV_RSS, { 'content-type': 'application/rss+xml' }));
    await context.fetcher.fetch('html', undefined, NOW);
    const stored = await context.listingsOf('html');
    upstream.route(
      '/html',
      answer(200, '<html><head><title>502 Bad Gateway</title></head><body><hr></body></html>', {
        'content-type': 'text/html',
      }),
    );

    const error = await rejectionOf(context.fetcher.fetch('html', undefined, new Date('2024-10-26T06:00:00Z')));

    expect(error).not.toBeInstanceOf(PermanentError);
    expect(error.message).toMatch(
      new RegExp(
        `^Source "html": ${upstream.url('/html')}: not an RSS or Atom feed \\(.+\\); it starts with "<html><head><title>502`,
      ),
    );
    expect((await context.runsOf('html')).at(-1)).toMatchObject({
      status: 'failed',
      httpStatus: 200,
      itemsSeen: 0,
      error: error.message,
    });
    expect(await context.listingsOf('html')).toEqual(stored);
    // One failure is a transient: the job's retries deal with it.
    expect(await context.source('html')).toMatchObject({
      health: 'healthy',
      consecutiveFailures: 1,
      cursorDate: '2024-10-25',
    });
  });

  it('should store the good items of a feed with broken ones, record why and call the source degraded', async () => {
    upstream.route(
      '/broken-items',
      answer(
        200,
        `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
          <item><title>Good</title><guid>urn:good</guid></item>
          <item><description>No title</description><guid>urn:untitled</guid></item>
          <item><title>No id</title></item>
        </channel></rss>`,
        { 'content-type': 'application/rss+xml' },
      ),
    );

    const { fetchRunId } = await context.fetcher.fetch('broken-items', undefined, NOW);

    expect(await context.runs.findOneByOrFail({ id: fetchRunId })).toMatchObject({
      status: 'succeeded',
      itemsSeen: 1,
      itemsNew: 1,
      error: 'item 1 (urn:untitled): no title\nitem 2 ("No id"): no guid, id or link',
    });
    expect(await context.source('broken-items')).toMatchObject({
      health: 'degraded',
      healthReason: '2 items skipped as malformed, e.g. item 1 (urn:untitled): no title',
    });
  });

  it('should call a source failing after three failed runs in a row, and healthy after a good one', async () => {
    upstream.route('/flaky', answer(503, 'Service Unavailable', { 'retry-after': '60' }));
    const healthAfterEach: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await rejectionOf(context.fetcher.fetch('flaky', undefined, NOW));
      expect(error).not.toBeInstanceOf(PermanentError);
      expect(error.message).toBe(`Source "flaky": ${upstream.url('/flaky')} answered HTTP 503 (Retry-After: 60)`);
      healthAfterEach.push((await context.source('flaky')).health);
    }
    expect(healthAfterEach).toEqual(['healthy', 'healthy', 'failing']);
    const failing = await context.source('flaky');
    expect(failing).toMatchObject({ consecutiveFailures: 3, enabled: true });
    expect(failing.healthReason).toBe(
      `3 failed runs in a row; last: Source "flaky": ${upstream.url('/flaky')} answered HTTP 503 (Retry-After: 60)`,
    );
    expect((await context.runsOf('flaky')).map((run) => run.httpStatus)).toEqual([503, 503, 503]);

    upstream.route('/flaky', answer(200, BLOG, { 'content-type': 'application/atom+xml' }));
    await context.fetcher.fetch('flaky', undefined, new Date('2024-10-25T07:00:00Z'));

    const recovered = await context.source('flaky');
    expect(recovered).toMatchObject({ health: 'healthy', healthReason: null, consecutiveFailures: 0 });
    expect(failing.healthChangedAt).toEqual(NOW);
    expect(recovered.healthChangedAt).toEqual(new Date('2024-10-25T07:00:00Z'));
  });

  it('should name the URL without its query in errors', async () => {
    upstream.route('/token', answer(403, 'Forbidden: bad key'));

    const error = await rejectionOf(context.fetcher.fetch('token', undefined, NOW));

    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(`Source "token": ${upstream.url('/token')}?… answered HTTP 403: Forbidden: bad key`);
    expect(error.message).not.toContain('s3cret');
    expect(upstream.requestsTo('/token')[0].query.get('key')).toBe('s3cret');
  });

  it('should fetch a feed as of now whatever date it is asked for', async () => {
    upstream.route('/biorxiv', answer(200, BIORXIV, { 'content-type': 'application/rdf+xml' }));

    const { fetchRunId } = await context.fetcher.fetch('biorxiv', '2024-10-01', NOW);

    expect(await context.runs.findOneByOrFail({ id: fetchRunId })).toMatchObject({
      listingDate: '2024-10-25',
      itemsNew: 0,
    });
  });

  it('should close a run a stopped fetcher left running before fetching again', async () => {
    const abandoned = await context.runs.save(
      context.runs.create({
        sourceId: 'blog',
        listingDate: '2024-10-24',
        startedAt: new Date('2024-10-24T06:00:00Z'),
        status: 'running',
      }),
    );
    const recent = await context.runs.save(
      context.runs.create({
        sourceId: 'blog',
        listingDate: '2024-10-25',
        startedAt: new Date('2024-10-25T05:30:00Z'),
        status: 'running',
      }),
    );
    upstream.route('/blog', answer(200, BLOG, { 'content-type': 'application/atom+xml' }));

    await context.fetcher.fetch('blog', undefined, NOW);

    expect(await context.runs.findOneByOrFail({ id: abandoned.id })).toMatchObject({
      status: 'failed',
      finishedAt: NOW,
      error: 'abandoned: the fetcher stopped before this run finished',
    });
    // Started half an hour ago: it may still be running in another replica.
    expect(await context.runs.findOneByOrFail({ id: recent.id })).toMatchObject({ status: 'running' });
    await context.runs.delete({ id: recent.id });
  });

  it('should report every source with its health and latest run', async () => {
    const health = await context.sourceRepository.health();

    expect(health.map((row) => row.id)).toEqual(SOURCES.map(([id]) => id).sort());
    const byId = new Map(health.map((row) => [row.id, row]));
    expect(byId.get('gone')).toMatchObject({
      kind: 'rss',
      enabled: false,
      health: 'failing',
      consecutiveFailures: 1,
      lastRun: { status: 'failed', httpStatus: 410, itemsSeen: 0, itemsNew: 0, listingDate: '2024-10-25' },
    });
    expect(byId.get('gone')?.lastRun?.finishedAt).toBeInstanceOf(Date);
    expect(byId.get('gone')?.lastRun?.error).toContain('answered HTTP 410');
    expect(byId.get('arxiv-rss')).toMatchObject({
      health: 'healthy',
      healthReason: null,
      cursorDate: '2024-10-25',
      lastRun: { status: 'succeeded', httpStatus: 304, itemsSeen: 0, itemsNew: 0, error: null },
    });
    expect(byId.get('broken-items')).toMatchObject({ health: 'degraded', lastRun: { itemsSeen: 1 } });
  });
});
