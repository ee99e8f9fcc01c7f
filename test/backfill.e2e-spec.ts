import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { QueueName } from '../libs/queues/src/queue-contract';
import {
  AppProcess,
  CliResult,
  deleteQueueKeys,
  queuesServed,
  runCli,
  startApp,
  waitFor,
  withOutputOf,
} from './support/processes';
import { LoopbackServer } from './support/loopback-server';
import { HfStandIn, routeArxivApi, startHfStandIn } from './support/stand-ins';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = join(__dirname, '..');
/** A real Daily Papers answer: 29 papers, served under new ids for every date from FIRST_DAY on. */
const FIXTURE = join(__dirname, 'fixtures/hf/daily-papers-2024-10-25.json');
const FIRST_DAY = '2026-11-02';

/** `backfill` through the CLI against a running fetcher and classifier (child processes), real Postgres and Redis. */
describe('backfill (end to end)', () => {
  let database: TestDatabase;
  let hf: HfStandIn;
  const arxiv = new LoopbackServer();
  let apps: AppProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let sql: Client;
  let workDir: string;
  const prefix = testQueuePrefix('backfill');

  beforeAll(async () => {
    database = await createTestDatabase('backfill');
    hf = await startHfStandIn(FIRST_DAY, FIXTURE);
    await arxiv.start();
    routeArxivApi(arxiv);
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-backfill-'));
    const sourcesFile = join(workDir, 'sources.yml');
    // Schedules that never fire during the test: only the CLI fetches.
    writeFileSync(
      sourcesFile,
      [
        'sources:',
        '  - id: hf-daily',
        '    kind: hf-daily-papers',
        `    url: ${hf.url}`,
        '    schedule: "0 0 1 1 *"',
        '  - id: arxiv',
        '    kind: arxiv-api',
        `    url: ${arxiv.url('/api/query')}`,
        '    categories: [cs.CL]',
        '    schedule: "0 0 1 1 *"',
        '  - id: blog',
        '    kind: rss',
        `    url: ${hf.url.replace('/api/daily_papers', '/feed.xml')}`,
        '    schedule: "0 0 1 1 *"',
        '',
      ].join('\n'),
    );
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SOURCES_FILE: sourcesFile,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'warn',
    };
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await Promise.all(apps.map((app) => app.stop()));
    await hf?.close();
    await arxiv.stop();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    rmSync(workDir, { force: true, recursive: true });
  });

  const failWithLogs = (error: Error): never => withOutputOf(apps, error);
  const backfill = (...args: string[]): Promise<CliResult> => runCli(['backfill', ...args], env);
  const succeededDates = async (): Promise<string[]> =>
    (
      await sql.query<{ date: string }>(
        `SELECT DISTINCT "listingDate"::text AS date FROM fetch_runs WHERE "sourceId" = 'hf-daily' AND status = 'succeeded' ORDER BY 1`,
      )
    ).rows.map((row) => row.date);

  it('should exit 1 naming the fetcher when it is not running', async () => {
    // The sources table is empty before a fetcher loads the file: seed the row the fetcher would write.
    await sql.query(
      `INSERT INTO sources (id, kind, url, schedule, timezone, enabled) VALUES ('hf-daily', 'hf-daily-papers', $1, '0 0 1 1 *', 'UTC', true)`,
      [hf.url],
    );
    const result = await backfill('--source', 'hf-daily', '--from', '2026-11-02', '--to', '2026-11-03');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The fetcher is not running: no worker listens on queue "fetch"');
  }, 60_000);

  it('should name a bad range before doing anything', async () => {
    const reversed = await backfill('--source', 'hf-daily', '--from', '2026-11-05', '--to', '2026-11-02');
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toContain('--from 2026-11-05 is after --to 2026-11-02');
    const notADate = await backfill('--source', 'hf-daily', '--from', '2026-02-30', '--to', '2026-11-02');
    expect(notADate.code).not.toBe(0);
    expect(notADate.stderr).toContain('--from must be a date as YYYY-MM-DD (got "2026-02-30")');
  }, 60_000);

  it('should fetch each date oldest first through the running fetcher, then resume where it stopped', async () => {
    apps = (['fetcher', 'classifier'] as const).map((name) => startApp(name, env));
    await waitFor(
      'the fetcher and classifier to serve their queues',
      () => queuesServed(REDIS_URL, prefix, [QueueName.Fetch, QueueName.Classify]),
      60_000,
    ).catch(failWithLogs);

    const first = await backfill('--source', 'hf-daily', '--from', '2026-11-02', '--to', '2026-11-03');
    expect(first.stderr).toBe('2026-11-02: 29 listed, 29 new (1/2)\n2026-11-03: 29 listed, 29 new (2/2)\n');
    expect(first.stdout.trim()).toBe(
      'Backfilled hf-daily from 2026-11-02 to 2026-11-03: 2 date(s), 2 fetched; 58 listed, 58 new, all classified.',
    );
    expect(first.code).toBe(0);
    const asked = hf.requests.map((url) => new URL(url, 'http://x').searchParams.get('date'));
    expect(asked.filter((date, index) => date !== asked[index - 1])).toEqual(['2026-11-02', '2026-11-03']);

    const second = await backfill('--source', 'hf-daily', '--from', '2026-11-01', '--to', '2026-11-04');
    expect(second.code).toBe(0);
    expect(second.stderr.split('\n')).toEqual([
      '2026-11-02: already fetched, skipped',
      '2026-11-03: already fetched, skipped',
      '2026-11-01: 0 listed, 0 new (3/4)',
      '2026-11-04: 29 listed, 29 new (4/4)',
      '',
    ]);
    expect(second.stdout).toContain('4 date(s), 2 fetched, 2 already fetched before; 29 listed, 29 new');
    expect(await succeededDates()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04']);
    // A backfill leaves the cursor to the scheduled runs.
    const { rows } = await sql.query<{ cursor: string | null }>(
      `SELECT "cursorDate"::text AS cursor FROM sources WHERE id = 'hf-daily'`,
    );
    expect(rows[0].cursor).toBeNull();
  }, 120_000);

  it('should retry a date the upstream fails for a while, and name the date and the attempts when it keeps failing', async () => {
    hf.failDate('2026-11-26', 1);
    const retried = await backfill('--source', 'hf-daily', '--from', '2026-11-26', '--to', '2026-11-26');
    expect(retried.stderr).toBe('2026-11-26: 29 listed, 29 new (1/1)\n');
    expect(retried.code).toBe(0);
    const asked = hf.requests.filter((url) => url.includes('date=2026-11-26'));
    expect(asked.length).toBe(2);

    hf.failDate('2026-11-27', 5, 500);
    const failed = await backfill(
      '--source',
      'hf-daily',
      '--from',
      '2026-11-27',
      '--to',
      '2026-11-27',
      '--attempts',
      '2',
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'Backfill of "hf-daily" stopped at 2026-11-27: SourceFetch failed after 2 attempts: ',
    );
    expect(failed.stderr).toContain('answered HTTP 500');
    expect(failed.stderr).toContain('run the same command again to continue from 2026-11-27');
  }, 120_000);

  it('should stop after the current date on Ctrl-C and say how to continue', async () => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        join(ROOT, 'apps/cli/src/main.ts'),
        'backfill',
        '--source',
        'hf-daily',
        '--from',
        '2026-11-05',
        '--to',
        '2026-11-25',
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('2026-11-05: ') && !stderr.includes('Stopping')) {
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toContain('Stopping after the current date');
    expect(code).toBe(130);
    expect(stdout).toMatch(/^Backfill of hf-daily interrupted before 2026-11-(0[6-9]|1\d|2[0-5]): /);
    expect(stdout).toContain('Run the same command again to continue from');
    const done = (await succeededDates()).filter((date) => date >= '2026-11-05');
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThan(21);
  }, 120_000);

  it('should look papers up by arXiv id through the running fetcher and classifier', async () => {
    const found = await runCli(
      ['lookup', '--source', 'arxiv', 'arXiv:2410.18451v1', 'https://arxiv.org/abs/2410.18533'],
      env,
    );
    expect(found.stderr).toBe('');
    expect(found.stdout.trim()).toBe('Looked up 2 id(s) on arxiv: 2 found, 2 new, all classified.');
    expect(found.code).toBe(0);
    const { rows } = await sql.query<{ arxivId: string }>(
      `SELECT p."arxivId" FROM papers p JOIN listings l ON l."paperId" = p.id WHERE l."sourceId" = 'arxiv' ORDER BY 1`,
    );
    expect(rows.map((row) => row.arxivId)).toEqual(['2410.18451', '2410.18533']);

    const refused = await runCli(['lookup', '--source', 'hf-daily', '2410.18451'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'SourceLookup failed: Source "hf-daily" is a hf-daily-papers source: lookups by id need an arxiv-api source',
    );
  }, 60_000);

  it('should refuse a feed source, saying why', async () => {
    const result = await backfill('--source', 'blog', '--from', '2026-11-02', '--to', '2026-11-03');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Source "blog" is a rss feed, which lists only its current items: it cannot be backfilled',
    );
  }, 60_000);
});
