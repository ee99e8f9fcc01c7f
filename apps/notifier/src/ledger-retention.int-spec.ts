import { Settings } from '@libs/config';
import { LedgerRetentionRepository } from '@libs/database';
import { DAY, HOUR, now, useNotifier } from '../../../test/support/notifier-context';
import { LedgerRetentionService } from './ledger-retention.service';

/**
 * RETENTION_DAYS (400 by default) bounds the ledger: a prune at an instant the test chooses (the job
 * passes the injected clock's) removes what is older, batch after batch, and nothing a later digest needs.
 */
describe('Ledger retention (integration)', () => {
  const ctx = useNotifier('retention');
  const daysBefore = (days: number): Date => new Date(now.getTime() - days * DAY);
  const service = (): LedgerRetentionService =>
    new LedgerRetentionService(ctx.app.get(Settings), ctx.app.get(LedgerRetentionRepository));

  beforeEach(async () => {
    await ctx.sql.query('TRUNCATE fetch_runs, listings, sources CASCADE');
  });

  /** A daily digest sent at `at`, holding one paper of its own listed that morning; the paper's title. */
  async function digestSentAt(at: Date): Promise<string> {
    const title = `Graph paper of ${at.toISOString().slice(0, 10)}`;
    await ctx.newPaper(title, { topics: ['graphs'], listedAt: new Date(at.getTime() - 6 * HOUR) });
    const digestIds = await ctx.runDigests(at);
    expect(digestIds).toHaveLength(1);
    expect(await ctx.digestPapers(digestIds[0])).toEqual([title]);
    return title;
  }

  async function counts(): Promise<{ digests: number; papers: number; deliveries: number }> {
    const { rows } = await ctx.sql.query<{ digests: number; papers: number; deliveries: number }>(
      `SELECT (SELECT count(*) FROM digests)::int AS digests, (SELECT count(*) FROM digest_papers)::int AS papers,
              (SELECT count(*) FROM deliveries)::int AS deliveries`,
    );
    return rows[0];
  }

  it('should remove settled digests with their papers and deliveries from before the retention, in batches', async () => {
    const subscription = await ctx.newSubscription({ topics: ['graphs'] });
    await ctx.sql.query(`UPDATE subscriptions SET "activatedAt" = $1`, [daysBefore(500)]);
    for (const days of [430, 420, 410, 10]) {
      await digestSentAt(new Date(daysBefore(days).getTime() + 4 * HOUR));
    }
    // A digest claimed long ago and never built: the sweep's, not the retention's, to settle.
    await ctx.sql.query(
      `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", "plannedFor", status) VALUES ($1, 'stuck', $2, $2, 'pending')`,
      [subscription.id, daysBefore(450)],
    );
    expect(await counts()).toEqual({ digests: 5, papers: 4, deliveries: 4 });

    const summary = await service().prune(now, 2);

    expect(summary).toEqual({ cutoff: daysBefore(400), digests: 3, digestPapers: 3, deliveries: 3, fetchRuns: 0 });
    expect(await counts()).toEqual({ digests: 2, papers: 1, deliveries: 1 });
    const { rows } = await ctx.sql.query<{ status: string }>(`SELECT status FROM digests ORDER BY "plannedFor"`);
    expect(rows.map((row) => row.status)).toEqual(['pending', 'sent']);
    // Pruning again finds nothing: the job may run twice, or on two notifiers at once.
    expect(await service().prune(now, 2)).toMatchObject({ digests: 0, digestPapers: 0, deliveries: 0 });
  });

  it('should send no paper twice after pruning: the next digest holds only what is new', async () => {
    await ctx.newSubscription({ topics: ['graphs'] });
    await ctx.sql.query(`UPDATE subscriptions SET "activatedAt" = $1`, [daysBefore(500)]);
    const old = await digestSentAt(new Date(daysBefore(401).getTime() + 4 * HOUR));
    const recent = await digestSentAt(new Date(daysBefore(1).getTime() + 4 * HOUR));
    expect(await service().prune(now)).toMatchObject({ digests: 1 });
    // The old digest's ledger rows are gone; its paper is still in the papers table.
    expect(await ctx.sql.query(`SELECT 1 FROM papers WHERE title = $1`, [old]).then((r) => r.rowCount)).toBe(1);

    const fresh = 'A graph paper of today';
    await ctx.newPaper(fresh, { topics: ['graphs'], listedAt: new Date(now.getTime() - 2 * HOUR) });
    const [today] = await ctx.runDigests(now);
    expect(await ctx.digestPapers(today)).toEqual([fresh]);
    const sentTitles = ctx.received.map(({ mail }) => mail.text ?? '');
    for (const title of [old, recent, fresh]) {
      expect({ title, emails: sentTitles.filter((text) => text.includes(title)).length }).toEqual({ title, emails: 1 });
    }
  });

  it('should remove old finished fetch runs but keep running ones and each source latest run', async () => {
    await ctx.sql.query(
      `INSERT INTO sources (id, kind, url, schedule, timezone) VALUES
         ('busy', 'arxiv-rss', 'https://example.org/a', '0 5 * * *', 'UTC'),
         ('quiet', 'arxiv-rss', 'https://example.org/b', '0 5 * * *', 'UTC')`,
    );
    const run = async (source: string, days: number, status: string): Promise<string> =>
      (
        await ctx.sql.query<{ id: string }>(
          `INSERT INTO fetch_runs ("sourceId", "startedAt", status) VALUES ($1, $2, $3) RETURNING id`,
          [source, daysBefore(days), status],
        )
      ).rows[0].id;
    const oldRuns = [await run('busy', 500, 'succeeded'), await run('busy', 450, 'failed'), await run('busy', 420, 'succeeded')];
    const stillRunning = await run('busy', 430, 'running');
    const recent = await run('busy', 3, 'succeeded');
    await run('quiet', 700, 'succeeded');
    const quietLatest = await run('quiet', 600, 'failed');
    await ctx.sql.query(
      `INSERT INTO listings ("sourceId", "fetchRunId", "externalId", title, abstract, "listedAt")
       VALUES ('busy', $1, 'x-1', 'A listing', 'An abstract.', $2)`,
      [oldRuns[0], daysBefore(500)],
    );

    const summary = await service().prune(now, 2);

    expect(summary.fetchRuns).toBe(4);
    const { rows } = await ctx.sql.query<{ id: string }>(`SELECT id FROM fetch_runs ORDER BY "startedAt"`);
    expect(rows.map((row) => row.id)).toEqual([quietLatest, stillRunning, recent]);
    const listing = await ctx.sql.query(`SELECT "fetchRunId" FROM listings WHERE "externalId" = 'x-1'`);
    expect(listing.rows).toEqual([{ fetchRunId: null }]);
  });
});
