import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule } from '@libs/database';
import { classifyTopics } from '@libs/domain';
import { titleKey } from '@libs/domain/papers';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { ReclassifyProgress, ReclassifyService } from './reclassify.service';

interface SeedPaper {
  title: string;
  abstract: string;
  categories?: string[];
  keywords?: string[];
}

const PAPERS: SeedPaper[] = [
  {
    title: 'Chain-of-Thought Reasoning in Large Language Models',
    abstract: 'We improve chain-of-thought reasoning of LLMs.',
  },
  {
    title: 'Grasp Planning for Robot Manipulation',
    abstract: 'A robot arm learns to grasp objects.',
    categories: ['cs.RO'],
  },
  { title: 'Post-Training Quantization', abstract: 'We quantize large language models to 4 bits.' },
  { title: 'Object Detection at Scale', abstract: 'A detector for object detection.', keywords: ['object detection'] },
  { title: 'Speech Recognition with Transformers', abstract: 'Automatic speech recognition.' },
  { title: 'Retrieval-Augmented Generation', abstract: 'Retrieval-augmented generation for question answering.' },
  { title: 'An Untaggable Note', abstract: 'Nothing to see.' },
];

/** `reclassify` against real Postgres: topics follow the current rules, what was delivered stays put. */
describe(ReclassifyService.name, () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  const savedUrl = process.env.DATABASE_URL;
  const ids: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('cli_reclassify');
    process.env.DATABASE_URL = database.url;
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, DatabaseModule],
      providers: [ReclassifyService],
    }).compile();
    app = await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    for (const [index, paper] of PAPERS.entries()) {
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO papers (title, abstract, categories, keywords, "titleKey", "listedAt", "readyAt", "updatedAt")
         VALUES ($1, $2, $3, $4, $5, '2026-11-27T10:00:00Z', '2026-11-27T10:05:00Z', '2026-11-27T10:05:00Z') RETURNING id`,
        // The first paper has no title key yet (listed before keys existed), the others have theirs.
        [
          paper.title,
          paper.abstract,
          paper.categories ?? [],
          paper.keywords ?? [],
          index === 0 ? null : titleKey(paper.title),
        ],
      );
      ids.push(rows[0].id);
    }
    // Stale tags from older rules on the first three papers; the others already carry what the rules say.
    await sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'robotics', 3, '{old rule}')`,
      [ids[0]],
    );
    await sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'robotics', 1, '{old score}')`,
      [ids[1]],
    );
    for (const [index, paper] of PAPERS.entries()) {
      if (index < 2) {
        continue;
      }
      const tags = expectedTags(paper).map((tag) => (index === 2 ? { ...tag, evidence: ['old evidence'] } : tag));
      for (const tag of tags) {
        await sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, $3, $4)`, [
          ids[index],
          tag.topic,
          tag.score,
          tag.evidence,
        ]);
      }
    }
    // A digest that was sent with the first two papers, as subscribers saw them.
    const subscription = await sql.query<{ id: string }>(
      `INSERT INTO subscriptions (email, status, frequency, timezone, "sendHour", topics) VALUES ('r@example.org', 'active', 'daily', 'UTC', 8, '{robotics}') RETURNING id`,
    );
    const digest = await sql.query<{ id: string }>(
      `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount", "builtAt")
       VALUES ($1, '2026-11-27', '2026-11-27T08:00:00Z', 'sent', 2, '2026-11-27T08:00:01Z') RETURNING id`,
      [subscription.rows[0].id],
    );
    await sql.query(
      `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $2, $4, 1), ($1, $3, $4, 2)`,
      [digest.rows[0].id, ids[0], ids[1], subscription.rows[0].id],
    );
    await sql.query(
      `INSERT INTO deliveries ("digestId", channel, status, attempts, "sentAt", "providerResponse") VALUES ($1, 'email', 'sent', 1, now(), '250 OK')`,
      [digest.rows[0].id],
    );
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
    process.env.DATABASE_URL = savedUrl;
  });

  function expectedTags(paper: SeedPaper): { topic: string; score: number; evidence: string[] }[] {
    return classifyTopics({
      title: paper.title,
      abstract: paper.abstract,
      categories: paper.categories ?? [],
      keywords: paper.keywords ?? [],
    });
  }

  const snapshot = async (): Promise<unknown[]> => {
    const tables: unknown[] = [];
    for (const query of [
      `SELECT * FROM digests ORDER BY id`,
      `SELECT * FROM digest_papers ORDER BY "digestId", rank`,
      `SELECT * FROM deliveries ORDER BY id`,
      `SELECT id, "readyAt", "listedAt", "updatedAt", title, abstract FROM papers ORDER BY id`,
    ]) {
      tables.push((await sql.query(query)).rows);
    }
    return tables;
  };

  it('should re-tag every paper with the current rules in batches, reporting each, and leave what was delivered untouched', async () => {
    const before = await snapshot();
    const reports: ReclassifyProgress[] = [];
    let started = -1;

    const result = await app.get(ReclassifyService).reclassify({
      batchSize: 2,
      onStart: (total) => (started = total),
      onBatch: (progress) => reports.push(progress),
    });

    expect(started).toBe(PAPERS.length);
    expect(reports.map((r) => r.done)).toEqual([2, 4, 6, 7]);
    expect(result).toEqual({ total: 7, done: 7, batches: 4, retagged: 3, titleKeys: 1 });
    for (const [index, paper] of PAPERS.entries()) {
      const { rows } = await sql.query(
        `SELECT topic, score, evidence FROM paper_topics WHERE "paperId" = $1 ORDER BY topic`,
        [ids[index]],
      );
      const expected = expectedTags(paper)
        .map((tag) => ({ topic: tag.topic, score: expect.closeTo(tag.score, 5), evidence: tag.evidence }))
        .sort((a, b) => a.topic.localeCompare(b.topic));
      expect(rows).toEqual(expected);
    }
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM papers WHERE "titleKey" IS NULL`);
    expect(rows[0].n).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('should find nothing to change on a second run', async () => {
    const result = await app.get(ReclassifyService).reclassify({ batchSize: 500 });
    expect(result).toEqual({ total: 7, done: 7, batches: 1, retagged: 0, titleKeys: 0 });
  });

  it('should finish at once when there are no papers after the last id', async () => {
    await sql.query(`DELETE FROM papers WHERE id <> ALL($1)`, [ids]);
    const reports: ReclassifyProgress[] = [];
    await app.get(ReclassifyService).reclassify({ batchSize: 7, onBatch: (progress) => reports.push(progress) });
    expect(reports).toHaveLength(1);
  });
});
