import { Test, TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, SourceRepository } from '@libs/database';
import { JobProducer, QueueName, QueuesModule } from '@libs/queues';
import { TestEnv } from '../../../test/support/fetcher-context';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { FetchScheduler } from './fetch-scheduler';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const sourcesFile = (ids: string[]): string =>
  `sources:\n${ids
    .map(
      (id) =>
        `  - id: ${id}\n    kind: rss\n    url: https://example.org/${id}.xml\n    schedule: "0 6 * * *"\n    timezone: Europe/Paris\n`,
    )
    .join('')}`;

describe('FetchScheduler', () => {
  const env = new TestEnv();
  const prefix = testQueuePrefix('fetch-scheduler');
  const directory = mkdtempSync(join(tmpdir(), 'paperboy-sources-'));
  const file = join(directory, 'sources.yml');
  let database: TestDatabase;
  const replicas: TestingModule[] = [];

  /** A fetcher replica's scheduler, booted (it applies the sources file at bootstrap); its warnings are kept. */
  const startReplica = async (warnings: string[] = []): Promise<TestingModule> => {
    const app = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule, QueuesModule],
      providers: [FetchScheduler],
    }).compile();
    const quiet = (): void => undefined;
    app.useLogger({
      log: quiet,
      error: quiet,
      debug: quiet,
      verbose: quiet,
      warn: (message: string) => warnings.push(message),
    });
    replicas.push(app);
    await app.init();
    return app;
  };
  const schedulers = async (
    app: TestingModule,
  ): Promise<{ key: string; pattern?: string | null; tz?: string | null }[]> =>
    (await app.get(JobProducer).queue(QueueName.Fetch).getJobSchedulers()).sort((a, b) => a.key.localeCompare(b.key));

  beforeAll(async () => {
    database = await createTestDatabase('fetch_scheduler');
    env.set({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix, SOURCES_FILE: file });
  });

  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
    env.restore();
  });

  it('should keep one scheduler per source with its cron and time zone when replicas start together', async () => {
    writeFileSync(file, sourcesFile(['blog', 'journal']));

    const [first] = await Promise.all([startReplica(), startReplica(), startReplica()]);

    expect(await schedulers(first)).toEqual([
      expect.objectContaining({ key: 'fetch-blog', pattern: '0 6 * * *', tz: 'Europe/Paris' }),
      expect.objectContaining({ key: 'fetch-journal', pattern: '0 6 * * *', tz: 'Europe/Paris' }),
    ]);
  });

  it('should drop the scheduler of a source removed from the file at the next start', async () => {
    writeFileSync(file, sourcesFile(['journal']));

    const app = await startReplica();

    expect((await schedulers(app)).map((scheduler) => scheduler.key)).toEqual(['fetch-journal']);
    expect(await app.get(SourceRepository).findById('blog')).toMatchObject({ enabled: false });
  });

  it("should warn at boot, by the clock's year, when an arxiv-api source is scheduled in a year arXiv's list is missing for", async () => {
    const arxivApi = `sources:\n  - id: arxiv-ml\n    kind: arxiv-api\n    url: https://export.arxiv.org/api/query\n    categories: [cs.LG]\n    schedule: "0 6 * * *"\n`;
    writeFileSync(file, arxivApi);
    const warningsIn = async (clockStart: string): Promise<string[]> => {
      env.set({ CLOCK_START: clockStart });
      const warnings: string[] = [];
      await startReplica(warnings);
      return warnings.filter((warning) => warning.includes('holiday list'));
    };

    expect(await warningsIn('2027-03-01T12:00:00Z')).toEqual([
      expect.stringMatching(/^arXiv's holiday list for 2027 is not in/),
    ]);
    expect(await warningsIn('2026-03-01T12:00:00Z')).toEqual([]);
    // Without a source on the arXiv calendar there is nothing to warn about.
    writeFileSync(file, sourcesFile(['journal']));
    expect(await warningsIn('2027-03-01T12:00:00Z')).toEqual([]);
  });

  it('should put back schedulers Redis lost, and follow a source gone and enabled again', async () => {
    writeFileSync(file, sourcesFile(['journal', 'blog']));
    const app = await startReplica();
    const scheduler = app.get(FetchScheduler);
    const sources = app.get(SourceRepository);

    await deleteQueueKeys(REDIS_URL, prefix);
    expect(await schedulers(app)).toEqual([]);
    await scheduler.restoreIfLost();
    expect((await schedulers(app)).map((entry) => entry.key)).toEqual(['fetch-blog', 'fetch-journal']);

    // What the fetcher does on a 410: the source is disabled and its scheduler removed.
    await sources.markGone('blog', new Date());
    await app.get(JobProducer).queue(QueueName.Fetch).removeJobScheduler('fetch-blog');
    await scheduler.restoreIfLost();
    expect((await schedulers(app)).map((entry) => entry.key)).toEqual(['fetch-journal']);

    // A restart keeps a gone source unscheduled; `sources enable` brings it back within a tick.
    const restarted = await startReplica();
    expect((await schedulers(restarted)).map((entry) => entry.key)).toEqual(['fetch-journal']);
    expect(await sources.enableGone('blog')).toBe(true);
    await restarted.get(FetchScheduler).restoreIfLost();
    expect((await schedulers(restarted)).map((entry) => entry.key)).toEqual(['fetch-blog', 'fetch-journal']);
  });
});
