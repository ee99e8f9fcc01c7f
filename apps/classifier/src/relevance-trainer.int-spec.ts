import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { SettingsModule } from '@libs/config';
import { DatabaseModule, RelevanceRepository } from '@libs/database';
import { DocumentFrequencies, termCounts, TfIdfFeaturizer, trainRelevanceModel } from '@libs/domain';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { RelevanceTrainer } from './relevance-trainer';

const NOW = new Date('2026-12-07T12:00:00Z');

/** A subscriber's model trained from their votes in real Postgres. */
describe(RelevanceTrainer.name, () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  const savedEnv = { ...process.env };
  const papers: Record<string, string> = {};
  const counts: Record<string, Map<string, number>> = {};

  beforeAll(async () => {
    database = await createTestDatabase('trainer');
    process.env.DATABASE_URL = database.url;
    app = await (
      await Test.createTestingModule({
        imports: [SettingsModule, DatabaseModule],
        providers: [RelevanceTrainer],
      }).compile()
    ).init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const texts: Record<string, [string, string]> = {
      kv: ['KV cache quantization', 'We quantize the KV cache of long-context language models to two bits.'],
      kv2: ['KV cache eviction for long contexts', 'Evicting KV cache entries keeps long-context inference cheap.'],
      diffusion: ['Diffusion distillation', 'A few-step image diffusion model distilled from a teacher.'],
      robots: ['Quadruped locomotion', 'A robot learns to walk on rough terrain with reinforcement learning.'],
      video: ['Video generation with diffusion', 'Text-to-video diffusion with temporal attention.'],
    };
    for (const [name, [title, abstract]] of Object.entries(texts)) {
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO papers (title, abstract, authors, "listedAt", "readyAt") VALUES ($1, $2, '{}', $3, $3) RETURNING id`,
        [title, abstract, new Date('2026-12-01T00:00:00Z')],
      );
      papers[name] = rows[0].id;
      counts[name] = termCounts({ title, abstract, authors: [] });
    }
    const relevance = app.get(RelevanceRepository);
    await relevance.storeFeatures(
      (await relevance.unfeaturized(10)).map((p) => ({ paperId: p.id, counts: termCounts(p) })),
    );
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
    process.env = savedEnv;
  });

  const subscription = async (): Promise<string> =>
    (
      await sql.query<{ id: string }>(
        `INSERT INTO subscriptions (status, frequency, timezone, "sendHour") VALUES ('active', 'daily', 'UTC', 8) RETURNING id`,
      )
    ).rows[0].id;
  const vote = (subscriptionId: string, paper: string, value: 'up' | 'down') =>
    sql.query(
      `INSERT INTO paper_votes ("subscriptionId", "paperId", vote, source, "createdAt", "updatedAt") VALUES ($1, $2, $3, 'site', $4, $4)`,
      [subscriptionId, papers[paper], value, NOW],
    );

  it('stores a model that weighs the liked papers’ words for and the disliked ones’ against', async () => {
    const id = await subscription();
    await vote(id, 'kv', 'up');
    await vote(id, 'diffusion', 'down');
    const model = await app.get(RelevanceTrainer).train(id, NOW);
    const stored = (await app.get(RelevanceRepository).models([id])).get(id);
    expect(stored?.terms).toEqual(model?.terms);
    const weight = (term: string): number => stored!.weights[stored!.terms.indexOf(term)];
    expect(weight('kv cach')).toBeGreaterThan(0);
    expect(weight('diffusion')).toBeLessThan(0);
    expect([stored?.liked, stored?.disliked]).toEqual([1, 1]);
    const { rows } = await sql.query<{ trainedAt: Date }>(
      `SELECT "trainedAt" FROM subscriber_models WHERE "subscriptionId" = $1`,
      [id],
    );
    expect(rows[0].trainedAt).toEqual(NOW);
  });

  it('vectorizes the background papers with all their terms’ frequencies, as digests vectorize candidates', async () => {
    const id = await subscription();
    await vote(id, 'kv2', 'up');
    await vote(id, 'video', 'down');
    const model = await app.get(RelevanceTrainer).train(id, NOW);
    const background = await app
      .get(RelevanceRepository)
      .backgroundSample(new Date(NOW.getTime() - 90 * 24 * 3600 * 1000), NOW.toISOString().slice(0, 10), 500);
    const featurizer = new TfIdfFeaturizer(DocumentFrequencies.of(Object.values(counts)));
    const expected = trainRelevanceModel({
      liked: [featurizer.vectorize(counts.kv2)],
      disliked: [featurizer.vectorize(counts.video)],
      background: background.map((paper) => featurizer.vectorize(paper)),
    })!;
    expect(background.length).toBeGreaterThan(2);
    expect(model?.terms).toEqual(expected.terms);
    model!.weights.forEach((weight, i) => expect(weight).toBeCloseTo(expected.weights[i], 5));
  });

  it('removes the model once nothing is liked any more', async () => {
    const id = await subscription();
    await vote(id, 'kv2', 'up');
    await app.get(RelevanceTrainer).train(id, NOW);
    expect((await app.get(RelevanceRepository).models([id])).size).toBe(1);
    await sql.query(`UPDATE paper_votes SET vote = 'down' WHERE "subscriptionId" = $1`, [id]);
    expect(await app.get(RelevanceTrainer).train(id, NOW)).toBeNull();
    expect((await app.get(RelevanceRepository).models([id])).size).toBe(0);
  });
});
