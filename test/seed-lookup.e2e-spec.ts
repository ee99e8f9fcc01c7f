import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiApp, startApiApp } from './support/api-app';
import { LoopbackServer } from './support/loopback-server';
import { AppProcess, startApp, waitFor, withOutputOf } from './support/processes';
import { routeArxivApi } from './support/stand-ins';

/**
 * A seed paper Paperboy does not know yet, end to end: the api asks the arxiv-api source (a SourceLookup
 * job), the fetcher (a child process) reads a loopback arXiv API, the classifier (another) makes the paper
 * and turns the pending seed into the subscriber's up-vote. Real Postgres and Redis.
 */
describe('unknown seed papers looked up on arXiv (end to end)', () => {
  const arxiv = new LoopbackServer();
  let api: ApiApp;
  let apps: AppProcess[] = [];
  let workDir: string;

  beforeAll(async () => {
    await arxiv.start();
    routeArxivApi(arxiv);
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-seed-lookup-'));
    const sourcesFile = join(workDir, 'sources.yml');
    // A schedule that never fires during the test: only the lookup fetches.
    writeFileSync(
      sourcesFile,
      [
        'sources:',
        '  - id: arxiv',
        '    kind: arxiv-api',
        `    url: ${arxiv.url('/api/query')}`,
        '    categories: [cs.CL]',
        '    schedule: "0 0 1 1 *"',
        '',
      ].join('\n'),
    );
    api = await startApiApp('seed_lookup', {
      APP_SECRET: 'seed-lookup-e2e-secret-0123456789abcdef',
      PUBLIC_URL: 'http://127.0.0.1',
      SUBSCRIBE_RATE_LIMIT: '10000',
    });
    const env = {
      ...api.env,
      NODE_ENV: 'test',
      SOURCES_FILE: sourcesFile,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'warn',
    };
    apps = (['fetcher', 'classifier'] as const).map((name) => startApp(name, env));
    // The fetcher mirrors the sources file at boot: then the api knows where to look papers up.
    await waitFor('the fetcher to sync the sources file', async () => {
      const { rows } = await api.sql.query(`SELECT 1 FROM sources WHERE id = 'arxiv' AND enabled`);
      return rows.length > 0;
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await api?.close();
    await arxiv.stop();
    rmSync(workDir, { force: true, recursive: true });
  });

  const withLogs = (error: Error): never => withOutputOf(apps, error);

  it('becomes an up-vote of the subscriber once the paper is fetched and classified; one arXiv never heard of stays pending', async () => {
    const created = await api
      .http()
      .post('/api/subscriptions')
      .send({ topics: ['llm'], seedPapers: ['https://arxiv.org/abs/2410.18451v1', '2410.99999'] });
    expect(created.status).toBe(202);
    const { id, seeds } = created.body as { id: string; seeds: Record<string, unknown> };
    expect(seeds).toMatchObject({
      added: 0,
      lookingUp: [
        { where: 'seedPapers[0]', id: '2410.18451' },
        { where: 'seedPapers[1]', id: '2410.99999' },
      ],
      notFound: [],
    });

    const votes = await waitFor(
      'the looked-up paper to become a seed of the subscriber',
      async () => {
        const { rows } = await api.sql.query<{ arxivId: string; vote: string; source: string }>(
          `SELECT p."arxivId", v.vote, v.source FROM paper_votes v JOIN papers p ON p.id = v."paperId" WHERE v."subscriptionId" = $1`,
          [id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      60_000,
    ).catch(withLogs);
    expect(votes).toEqual([{ arxivId: '2410.18451', vote: 'up', source: 'seed' }]);
    // arXiv was asked once, for both ids.
    const asked = arxiv.requests.filter((request) => request.path === '/api/query');
    expect(asked.map((request) => request.query.get('id_list')?.split(',').sort())).toEqual([
      ['2410.18451', '2410.99999'],
    ]);
    const pending = await api.sql.query(`SELECT "arxivId" FROM pending_seeds WHERE "subscriptionId" = $1`, [id]);
    expect(pending.rows).toEqual([{ arxivId: '2410.99999' }]);
    const subscription = await api.sql.query(`SELECT ranking FROM subscriptions WHERE id = $1`, [id]);
    expect(subscription.rows).toEqual([{ ranking: 'for-you' }]);
  }, 90_000);
});
