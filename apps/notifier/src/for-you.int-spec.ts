import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { Settings, SettingsModule } from '@libs/config';
import {
  DatabaseModule,
  RankingMode,
  RelevanceRepository,
  SubscriptionRepository,
  VoteRepository,
} from '@libs/database';
import { termCounts, TfIdfFeaturizer, trainRelevanceModel, type TermCounts } from '@libs/domain';
import { HttpModule } from '@libs/http';
import { MailModule } from '@libs/mail';
import { QueuesModule } from '@libs/queues';
import { deleteQueueKeys } from '../../../test/support/processes';
import { SmtpSink, startSmtpSink } from '../../../test/support/smtp-sink';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { EmailChannel } from './channels/email.channel';
import { SlackChannel } from './channels/slack.channel';
import { WebhookThrottle } from './channels/webhook-throttle';
import { DeliveryService } from './delivery.service';
import { DigestBuilderService } from './digest-builder.service';
import { DigestMatcher } from './digest-matcher';
import { DigestPlannerService } from './digest-planner.service';

const REDIS_URL = 'redis://127.0.0.1:6379';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Digests ranked by each subscriber's relevance model, against real Postgres (and Redis for the queues). */
describe('For-you digests', () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  let smtp: SmtpSink;
  const prefix = testQueuePrefix('foryou');
  const savedEnv = { ...process.env };
  const now = new Date('2026-11-28T12:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase('foryou');
    smtp = await startSmtpSink();
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://papers.example.org',
      APP_SECRET: 'foryou-test-secret-foryou-test-secret',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        SettingsModule,
        DatabaseModule,
        QueuesModule,
        MailModule,
        HttpModule.registerAsync({
          inject: [Settings],
          useFactory: () => ({ allowPrivateTargets: false, userAgent: 'test' }),
        }),
      ],
      providers: [
        DigestPlannerService,
        DigestBuilderService,
        DigestMatcher,
        DeliveryService,
        EmailChannel,
        SlackChannel,
        WebhookThrottle,
      ],
    }).compile();
    app = await moduleRef.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await smtp?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    process.env = savedEnv;
  });

  beforeEach(async () => {
    await sql.query(
      'TRUNCATE papers, subscriptions, digests, digest_papers, deliveries, paper_topics, paper_features, term_frequencies CASCADE',
    );
    app.get(DigestMatcher).clear();
  });

  let arxiv = 10000;

  /** A ready paper with its relevance features stored, as the classifier stores them. */
  async function addPaper(
    title: string,
    abstract: string,
    options: { upvotes?: number; listedAt?: Date; topics?: string[] } = {},
  ): Promise<string> {
    arxiv += 1;
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt")
       VALUES ($1, $2, $3, '{"A. Author"}', $4, $5, $6) RETURNING id`,
      [
        `2611.${arxiv}`,
        title,
        abstract,
        options.upvotes ?? 0,
        options.listedAt ?? new Date(now.getTime() - 6 * HOUR),
        now,
      ],
    );
    const id = rows[0].id;
    for (const topic of options.topics ?? []) {
      await sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, 3, '{}')`, [
        id,
        topic,
      ]);
    }
    await app
      .get(RelevanceRepository)
      .storeFeatures([{ paperId: id, counts: termCounts({ title, abstract, authors: ['A. Author'] }) }]);
    return id;
  }

  async function subscribe(fields: {
    topics?: string[];
    keywords?: string[];
    maxPapers?: number;
    ranking?: RankingMode | null;
  }) {
    return app.get(SubscriptionRepository).create({
      email: 'reader@example.org',
      slackWebhookUrl: null,
      excludeTopics: [],
      minUpvotes: 0,
      status: 'active',
      topics: fields.topics ?? [],
      keywords: fields.keywords ?? [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: fields.maxPapers ?? 20,
      ranking: fields.ranking ?? null,
      activatedAt: new Date('2026-11-01T00:00:00Z'),
    });
  }

  /** Votes, then trains and stores the model the way the classifier's RelevanceTrainer does. */
  async function like(subscriptionId: string, paperIds: string[], ranking?: RankingMode): Promise<void> {
    for (const paperId of paperIds) {
      await app.get(VoteRepository).record(subscriptionId, paperId, 'up', 'site', now);
    }
    if (ranking) {
      await sql.query(`UPDATE subscriptions SET ranking = $2 WHERE id = $1`, [subscriptionId, ranking]);
    }
    const relevance = app.get(RelevanceRepository);
    const { liked, disliked } = await relevance.labelledFeatures(subscriptionId);
    const background = await relevance.backgroundSample(new Date(now.getTime() - 90 * DAY), 'day', 500);
    const terms = new Set<string>();
    [...liked, ...disliked, ...background].forEach((counts) => counts.forEach((_, term) => terms.add(term)));
    const featurizer = new TfIdfFeaturizer(await relevance.frequencies([...terms]));
    const vectorize = (counts: TermCounts) => featurizer.vectorize(counts);
    const model = trainRelevanceModel({
      liked: liked.map(vectorize),
      disliked: disliked.map(vectorize),
      background: background.map(vectorize),
    });
    expect(model).not.toBeNull();
    await relevance.saveModel(subscriptionId, model, now);
  }

  /** Plans and builds every digest due now; each subscription's digest titles, in rank order. */
  async function buildDigests(): Promise<Map<string, string[]>> {
    const { digestIds } = await app.get(DigestPlannerService).planDue(now);
    for (const digestId of digestIds) {
      await app.get(DigestBuilderService).build(digestId);
    }
    const { rows } = await sql.query<{ subscriptionId: string; titles: string[] }>(
      `SELECT g."subscriptionId", array_agg(p.title ORDER BY d.rank) AS titles
         FROM digests g JOIN digest_papers d ON d."digestId" = g.id JOIN papers p ON p.id = d."paperId"
        GROUP BY g."subscriptionId"`,
    );
    return new Map(rows.map((row) => [row.subscriptionId, row.titles]));
  }

  const earlier = new Date(now.getTime() - 10 * DAY);

  /** Day one's papers about KV caches (outside today's window) that readers liked. */
  async function likedKvPapers(): Promise<string[]> {
    return [
      await addPaper(
        'KV cache quantization for long-context inference',
        'We quantize the key value cache of transformer decoders to four bits, cutting memory of long-context inference.',
        { listedAt: earlier, topics: ['llm'] },
      ),
      await addPaper(
        'Compressing the KV cache by token eviction',
        'Evicting unimportant tokens from the key value cache keeps long-context decoding within memory.',
        { listedAt: earlier, topics: ['llm'] },
      ),
    ];
  }

  it('should put the paper like the liked ones first, before a more upvoted one, and keep upvotes mode as it was', async () => {
    const liked = await likedKvPapers();
    await addPaper(
      'Key value cache compression with learned quantization',
      'A learned quantizer for the key value cache makes long-context decoding cheaper in memory.',
      { upvotes: 3, topics: ['llm'] },
    );
    await addPaper(
      'Scaling laws of instruction tuning',
      'How instruction tuning data and model size trade off in large language models.',
      { upvotes: 40, topics: ['llm'] },
    );
    await addPaper('Diffusion models for video', 'A video diffusion model generates coherent frames.', {
      upvotes: 90,
      topics: ['vision'],
    });
    const forYou = await subscribe({ topics: ['llm'] });
    const everything = await subscribe({});
    const byUpvotes = await subscribe({ topics: ['llm'] });
    const newest = await subscribe({ topics: ['llm'] });
    await like(forYou.id, liked);
    await like(everything.id, liked);
    await like(byUpvotes.id, liked, 'upvotes');
    await like(newest.id, liked, 'newest');
    await sql.query(`UPDATE papers SET "listedAt" = $1 WHERE title = 'Scaling laws of instruction tuning'`, [
      new Date(now.getTime() - 2 * HOUR),
    ]);

    const digests = await buildDigests();
    // The topic filter holds in every mode: the vision paper is nobody's but the unfiltered subscriber's.
    expect(digests.get(forYou.id)).toEqual([
      'Key value cache compression with learned quantization',
      'Scaling laws of instruction tuning',
    ]);
    expect(digests.get(everything.id)?.[0]).toBe('Key value cache compression with learned quantization');
    const { rows } = await sql.query<{ subscriptionId: string; explore: boolean | null; why: string | null }>(
      `SELECT d."subscriptionId", d.explore, d.why FROM digest_papers d JOIN papers p ON p.id = d."paperId"
        WHERE p.title = 'Key value cache compression with learned quantization'`,
    );
    const noteOf = (id: string) => rows.find((row) => row.subscriptionId === id);
    expect(noteOf(forYou.id)).toMatchObject({ explore: false });
    expect(noteOf(forYou.id)?.why).toMatch(
      /^Similar to “(KV cache quantization for long-context inference|Compressing the KV cache by token eviction)”, which you liked\./,
    );
    // Other modes keep their rule reasons only.
    expect(noteOf(byUpvotes.id)).toMatchObject({ explore: null, why: null });
    expect(digests.get(everything.id)).toHaveLength(3);
    expect(digests.get(byUpvotes.id)).toEqual([
      'Scaling laws of instruction tuning',
      'Key value cache compression with learned quantization',
    ]);
    expect(digests.get(newest.id)).toEqual([
      'Scaling laws of instruction tuning',
      'Key value cache compression with learned quantization',
    ]);
  });

  it('should rank papers matching both the topics and the keywords of the subscription above papers matching one', async () => {
    const liked = await likedKvPapers();
    // Neither shares a word with the liked papers: the model scores both 0, and upvotes would put the second first.
    await addPaper('Speculative sampling with draft trees', 'Draft trees verified in parallel speed up generation.', {
      upvotes: 5,
      topics: ['llm'],
    });
    await addPaper('Instruction tuning of chat assistants', 'Supervised data for assistants.', {
      upvotes: 50,
      topics: ['llm'],
    });
    const both = await subscribe({ topics: ['llm'], keywords: ['speculative sampling'] });
    const topicOnly = await subscribe({ topics: ['llm'] });
    await like(both.id, liked);
    await like(topicOnly.id, liked);

    const digests = await buildDigests();
    expect(digests.get(both.id)).toEqual([
      'Speculative sampling with draft trees',
      'Instruction tuning of chat assistants',
    ]);
    expect(digests.get(topicOnly.id)).toEqual([
      'Instruction tuning of chat assistants',
      'Speculative sampling with draft trees',
    ]);
  });

  it('should never spend an explore slot on a paper the subscriber already received', async () => {
    const liked = await likedKvPapers();
    for (let i = 0; i < 6; i++) {
      await addPaper(`KV cache paper ${i}`, `Key value cache eviction for long-context decoding, variant ${i}.`, {
        upvotes: i,
      });
    }
    for (const [i, title] of ['Protein folding', 'Robot grasping', 'Weather forecasting'].entries()) {
      await addPaper(title, `${title} with neural networks at scale.`, { upvotes: 100 - i });
    }
    const subscription = await subscribe({ maxPapers: 4 });
    await like(subscription.id, liked);
    const window = { listedAfter: new Date(now.getTime() - DAY), listedUntil: now };
    const exploreTitles = async (): Promise<string[]> => {
      const ranked = await app
        .get(DigestMatcher)
        .rank((await app.get(SubscriptionRepository).findById(subscription.id))!, window);
      const ids = [...ranked.notes].filter(([, note]) => note.explore).map(([id]) => id);
      const { rows } = await sql.query<{ title: string }>(`SELECT title FROM papers WHERE id = ANY($1::uuid[])`, [ids]);
      return rows.map((row) => row.title);
    };

    expect(await exploreTitles()).toEqual(['Protein folding']);
    const built = (await buildDigests()).get(subscription.id);
    expect(built).toContain('Protein folding');
    // Delivered now: the next most upvoted paper the model scores low takes the slot.
    expect(await exploreTitles()).toEqual(['Robot grasping']);
  });

  it('should give at most two explore slots, to the best-upvoted papers the model scores low, after its picks', async () => {
    const liked = await likedKvPapers();
    const kv: string[] = [];
    for (let i = 0; i < 8; i++) {
      kv.push(`KV cache paper ${i}`);
      await addPaper(
        `KV cache paper ${i}`,
        `Key value cache quantization and eviction for long-context decoding, variant ${i}.`,
        { upvotes: i },
      );
    }
    const popular = ['Protein folding', 'Robot grasping', 'Weather forecasting', 'Speech recognition'];
    for (const [i, title] of popular.entries()) {
      await addPaper(title, `${title} with neural networks at scale.`, { upvotes: 100 - i });
    }
    const subscription = await subscribe({ maxPapers: 8 });
    await like(subscription.id, liked);

    const ranked = await app
      .get(DigestMatcher)
      .rank((await app.get(SubscriptionRepository).findById(subscription.id))!, {
        listedAfter: new Date(now.getTime() - DAY),
        listedUntil: now,
      });
    const explore = [...ranked.notes].filter(([, note]) => note.explore).map(([id]) => id);
    expect(explore).toHaveLength(2);

    const titles = (await buildDigests()).get(subscription.id) ?? [];
    expect(titles).toHaveLength(8);
    // Six model picks (the KV cache papers), then the two most upvoted of the papers it scores low.
    expect(titles.slice(0, 6).every((title) => kv.includes(title))).toBe(true);
    expect(titles.slice(6)).toEqual(['Protein folding', 'Robot grasping']);
    const { rows } = await sql.query<{ title: string }>(`SELECT title FROM papers WHERE id = ANY($1::uuid[])`, [
      explore,
    ]);
    expect(rows.map((row) => row.title).sort()).toEqual(['Protein folding', 'Robot grasping']);
    // The ledger marks them, and says in plain words why each paper is there.
    const recorded = await sql.query<{ title: string; explore: boolean; why: string | null }>(
      `SELECT p.title, d.explore, d.why FROM digest_papers d JOIN papers p ON p.id = d."paperId" ORDER BY d.rank`,
    );
    expect(recorded.rows.filter((row) => row.explore).map((row) => row.title)).toEqual([
      'Protein folding',
      'Robot grasping',
    ]);
    expect(recorded.rows[7].why).toMatch(/^Popular this period/);
    expect(recorded.rows[0].why).toMatch(/Matches what you like: .*(KV|cache|key value)/i);

    // The email says so in those words, and the explore slots are marked.
    const { rows: pending } = await sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending'`);
    expect(pending).toHaveLength(1);
    await app.get(DeliveryService).send(pending[0].id);
    expect(smtp.mails).toHaveLength(1);
    const text = smtp.mails[0].parsed.text ?? '';
    expect(text).toContain(`Why: ${recorded.rows[0].why}`);
    expect(text.match(/Why: Popular this period and outside your usual picks/g)).toHaveLength(2);
  });
});
