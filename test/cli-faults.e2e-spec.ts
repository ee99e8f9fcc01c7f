import { OwnRedis, startOwnRedis } from './support/fault-injection';
import { runCli } from './support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

/** The CLI when Redis is not there yet: one plain line per condition on stderr, never a raw stack. */
describe('CLI under Redis faults (end to end)', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    redis = await startOwnRedis();
    database = await createTestDatabase('cli_faults');
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix('cli-faults'),
      APP_SECRET: 'cli-faults-secret-cli-faults-secret',
    };
  });

  afterAll(async () => {
    await redis?.stop();
    await database?.drop();
  });

  it('should say once that Redis refuses connections, then carry on when it is back', async () => {
    await redis.crash();
    let restarted: Promise<void> | undefined;
    // Redis comes back once the CLI has said it is missing: the positive signal, not a sleep.
    const result = await runCli(['digest', 'send', '--now', '2026-12-07T08:00:00Z'], env, (soFar) => {
      if (/ECONNREFUSED/.test(soFar)) {
        restarted ??= redis.start();
      }
    });
    await restarted;

    expect(restarted).toBeDefined();
    const lines = result.stderr.trim().split('\n');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/Unhandled error event/);
    expect(lines.filter((line) => /ECONNREFUSED/.test(line))).toEqual([
      expect.stringMatching(/^Warning: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(Queues\)$/),
    ]);
    // Redis answered: the CLI got as far as asking for the notifier's workers (there are none here).
    expect(lines[lines.length - 1]).toMatch(/^Error: The notifier is not running: no worker listens on queue "notify"/);
    expect(lines).toHaveLength(2);
    expect(result.code).toBe(1);
  }, 120_000);
});
