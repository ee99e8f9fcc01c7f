import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { DigestPreviewService } from './digest-preview.service';

const DAY = 24 * 3600 * 1000;

/** `digest preview` against real Postgres: the next digest as the notifier would build it, nothing recorded. */
describe(DigestPreviewService.name, () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  const savedUrl = process.env.DATABASE_URL;
  const now = new Date('2026-11-28T09:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase('cli_preview');
    process.env.DATABASE_URL = database.url;
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule],
      providers: [DigestPreviewService],
    }).compile();
    app = await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
    process.env.DATABASE_URL = savedUrl;
  });

  const addPaper = async (title: string, listedAt: Date): Promise<void> => {
    await sql.query(
      `INSERT INTO papers (title, abstract, authors, upvotes, "listedAt", "readyAt") VALUES ($1, 'An abstract.', '{"A. Author"}', 1, $2, $2)`,
      [title, listedAt],
    );
  };

  it('should reach back to where the previous digest ended, as the next digest will, and record nothing', async () => {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO subscriptions (email, status, frequency, timezone, "sendHour")
       VALUES ('reader@example.org', 'active', 'daily', 'UTC', 8) RETURNING id`,
    );
    const subscriptionId = rows[0].id;
    // The last digest went out five days ago (the notifier was down since): the default lookback of two days
    // would miss the paper listed four days ago.
    const lastSent = new Date(now.getTime() - 5 * DAY);
    await sql.query(
      `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", "plannedFor", status) VALUES ($1, '2026-11-23', $2, $2, 'sent')`,
      [subscriptionId, lastSent],
    );
    await addPaper('Listed four days ago', new Date(now.getTime() - 4 * DAY));
    await addPaper('Listed before the last digest', new Date(lastSent.getTime() - 2 * DAY));

    const preview = await app.get(DigestPreviewService).preview(subscriptionId, now);

    expect(preview).toMatch(/^Subject: Paperboy: 1 new paper for Saturday 28 November 2026/);
    expect(preview).toContain('Listed four days ago');
    expect(preview).not.toContain('Listed before the last digest');
    const digests = await sql.query(`SELECT count(*)::int AS n FROM digests WHERE "subscriptionId" = $1`, [
      subscriptionId,
    ]);
    expect(digests.rows).toEqual([{ n: 1 }]);
  });
});
