import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import {
  DatabaseModule,
  DigestRepository,
  EmbeddingRepository,
  RelevanceRepository,
  SubscriptionRepository,
  VoteRepository,
} from '@libs/database';
import { termCounts } from '@libs/domain';
import { TestEnv } from '../../../test/support/fetcher-context';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { DenseRanking } from './dense-ranking';
import { DigestMatcher } from './digest-matcher';

const HOUR = 3600_000;
const MODEL = 'stand-in-embed-3';

/** The dense term in a for-you digest's order, against real Postgres (embeddings stored as the classifier stores them). */
describe('For-you digests with embeddings', () => {
  const env = new TestEnv();
  const now = new Date('2026-11-28T12:00:00Z');
  const window = { listedAfter: new Date(now.getTime() - 24 * HOUR), listedUntil: now };
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase('dense_ranking');
    env.set({
      DATABASE_URL: database.url,
      // Never called here: the notifier only reads stored embeddings of this model.
      EMBEDDINGS_URL: 'https://embeddings.example.org/v1/embeddings',
      EMBEDDINGS_MODEL: MODEL,
    });
    app = await (
      await Test.createTestingModule({
        imports: [SettingsModule, DatabaseModule],
        providers: [DigestMatcher, DenseRanking],
      }).compile()
    ).init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
    env.restore();
  });

  let arxiv = 20000;
  async function addPaper(title: string, upvotes: number, listedAt: Date): Promise<string> {
    arxiv += 1;
    const abstract = `${title}, studied at scale.`;
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt")
       VALUES ($1, $2, $3, '{"A. Author"}', $4, $5, $5) RETURNING id`,
      [`2611.${arxiv}`, title, abstract, upvotes, listedAt],
    );
    await app
      .get(RelevanceRepository)
      .storeFeatures([{ paperId: rows[0].id, counts: termCounts({ title, abstract, authors: [] }) }]);
    return rows[0].id;
  }

  it('should put first the candidate whose embedding is closest to the liked paper, and change nothing without embeddings', async () => {
    const liked = await addPaper('Quantized key value caches', 0, new Date(now.getTime() - 10 * 24 * HOUR));
    // Neither candidate shares a word with the liked paper: by the tf-idf model they tie, and upvotes decide.
    const protein = await addPaper('Protein folding', 9, new Date(now.getTime() - 6 * HOUR));
    const robots = await addPaper('Robot grasping', 5, new Date(now.getTime() - 6 * HOUR));
    await addPaper('Weather forecasting', 7, new Date(now.getTime() - 6 * HOUR));
    const subscription = await app.get(SubscriptionRepository).create({
      email: 'reader@example.org',
      slackWebhookUrl: null,
      excludeTopics: [],
      minUpvotes: 0,
      status: 'active',
      topics: [],
      keywords: [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: 3,
      ranking: 'for-you',
      activatedAt: new Date('2026-11-01T00:00:00Z'),
    });
    await app.get(VoteRepository).record(subscription.id, liked, 'up', 'site', now);
    await app
      .get(RelevanceRepository)
      .saveModel(subscription.id, { terms: ['quantiz'], weights: Float32Array.from([1]), liked: 1, disliked: 0 }, now);
    const stored = (await app.get(SubscriptionRepository).findById(subscription.id))!;
    const titles = async (paperIds: string[]): Promise<string[]> => {
      const { rows } = await sql.query<{ id: string; title: string }>(
        `SELECT id, title FROM papers WHERE id = ANY($1::uuid[])`,
        [paperIds],
      );
      return paperIds.map((id) => rows.find((row) => row.id === id)!.title);
    };
    const tfIdfOnly = new DigestMatcher(app.get(DigestRepository), app.get(RelevanceRepository));

    // No embeddings stored yet: the dense term adds nothing, the order is the tf-idf order.
    expect(await titles((await app.get(DigestMatcher).rank(stored, window)).paperIds)).toEqual([
      'Protein folding',
      'Weather forecasting',
      'Robot grasping',
    ]);

    // The robots paper points the liked paper's way; the weather paper has no embedding and keeps its place.
    const embeddings = app.get(EmbeddingRepository);
    await embeddings.store(
      MODEL,
      [
        { paperId: liked, vector: Float32Array.from([1, 0, 0]) },
        { paperId: protein, vector: Float32Array.from([0, 1, 0]) },
        { paperId: robots, vector: Float32Array.from([0.9, 0.1, 0]) },
      ],
      now,
    );
    app.get(DigestMatcher).clear();
    expect(await titles((await app.get(DigestMatcher).rank(stored, window)).paperIds)).toEqual([
      'Robot grasping',
      'Weather forecasting',
      'Protein folding',
    ]);
    expect(await titles((await tfIdfOnly.rank(stored, window)).paperIds)).toEqual([
      'Protein folding',
      'Weather forecasting',
      'Robot grasping',
    ]);
  });
});
