import { getQueueToken } from '@nestjs/bullmq';
import { ConsoleLogger, INestApplicationContext, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { createServer, Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { Client } from 'pg';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Settings, SettingsModule } from '@libs/config';
import { DatabaseModule, DigestRepository, PaperRepository, SubscriptionRepository } from '@libs/database';
import {
  Clock,
  emailChangeConfirmUrl,
  LEFT_OUT_LISTED,
  PermanentError,
  RetryLaterError,
  SecretBox,
  verifyToken,
} from '@libs/domain';
import { HttpModule } from '@libs/http';
import { MailModule } from '@libs/mail';
import { DELIVERY_SEND_ATTEMPTS, JobName, QueueName, QueuesModule, runJob } from '@libs/queues';
import { close, listen } from '../../../test/support/stand-ins';
import { deleteQueueKeys } from '../../../test/support/processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from '../../../test/support/test-database';
import { EmailChannel } from './channels/email.channel';
import { SlackChannel } from './channels/slack.channel';
import { WebhookThrottle } from './channels/webhook-throttle';
import { ConfirmationCap } from './confirmation-cap';
import { ConfirmationService } from './confirmation.service';
import { DeliveryService } from './delivery.service';
import { DigestBuilderService } from './digest-builder.service';
import { DigestMatcher } from './digest-matcher';
import { DigestPlannerService } from './digest-planner.service';
import { DIGEST_TICK_SCHEDULER, DigestScheduler } from './digest-scheduler';

const REDIS_URL = 'redis://127.0.0.1:6379';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The notifier's ledger against real Postgres, Redis, an SMTP server and a Slack stand-in. */
describe('Notifier ledger', () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: Client;
  let notifyQueue: Queue;
  const prefix = testQueuePrefix('notifier');
  const savedEnv = { ...process.env };

  // SMTP server whose answer to RCPT TO the tests choose.
  let smtp: SMTPServer;
  let smtpReply: { code: number; message: string } | null = null;
  let smtpSenderReply: { code: number; message: string } | null = null;
  const received: { to: string[]; mail: ParsedMail }[] = [];
  // Slack stand-in whose status the tests choose.
  let slack: Server;
  let slackBase: string;
  /** A webhook of its own per test: the throttle allows one message a second per webhook. */
  let slackUrl: string;
  let slackStatus = 200;
  /** Statuses for the next requests, before falling back to slackStatus. */
  const slackStatuses: number[] = [];
  const slackBodies: unknown[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('notifier');
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onMailFrom(_address, _session, callback) {
        if (smtpSenderReply) {
          const error = new Error(smtpSenderReply.message) as Error & { responseCode: number };
          error.responseCode = smtpSenderReply.code;
          return callback(error);
        }
        callback();
      },
      onRcptTo(_address, _session, callback) {
        if (smtpReply) {
          const error = new Error(smtpReply.message) as Error & { responseCode: number };
          error.responseCode = smtpReply.code;
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    slack = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        slackBodies.push(JSON.parse(body));
        const status = slackStatuses.shift() ?? slackStatus;
        res.writeHead(status, { 'content-type': 'text/plain', ...(status === 429 ? { 'retry-after': '1' } : {}) });
        res.end(status === 200 ? 'ok' : status === 404 ? 'no_service' : status === 429 ? 'rate_limited' : 'internal_error');
      });
    });
    slackBase = await listen(slack);

    Object.assign(process.env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PUBLIC_URL: 'https://papers.example.org',
      APP_SECRET: 'notifier-test-secret-notifier-test',
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        SettingsModule,
        DatabaseModule,
        QueuesModule,
        MailModule,
        HttpModule.registerAsync({
          inject: [Settings],
          useFactory: (settings) => ({
            allowPrivateTargets: (settings as Settings).ALLOW_PRIVATE_TARGETS,
            userAgent: 'test',
          }),
        }),
      ],
      providers: [
        DigestPlannerService,
        DigestBuilderService,
        DigestMatcher,
        DeliveryService,
        ConfirmationService,
        ConfirmationCap,
        EmailChannel,
        SlackChannel,
        WebhookThrottle,
      ],
    }).compile();
    app = await moduleRef.init();
    notifyQueue = app.get<Queue>(getQueueToken(QueueName.Notify));
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await close(slack);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    process.env = savedEnv;
  });

  beforeEach(async () => {
    await sql.query('TRUNCATE papers, subscriptions, digests, digest_papers, deliveries, paper_topics CASCADE');
    await notifyQueue.obliterate({ force: true });
    // Every test reuses the same instant, hence the same window, with other papers.
    app.get(DigestMatcher).clear();
    received.length = 0;
    slackBodies.length = 0;
    smtpReply = null;
    smtpSenderReply = null;
    slackStatus = 200;
    slackStatuses.length = 0;
    slackUrl = `${slackBase}/services/T1/B1/secret-${Math.random().toString(36).slice(2)}`;
  });

  const now = new Date('2026-11-28T12:00:00Z');

  async function addPaper(
    title: string,
    options: { upvotes?: number; listedAt?: Date; topics?: string[]; abstract?: string; ready?: boolean } = {},
  ): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt")
       VALUES ($1, $2, $3, '{"A. Author"}', $4, $5, $6) RETURNING id`,
      [
        `2611.${String(Math.floor(Math.random() * 90000) + 10000)}`,
        title,
        options.abstract ?? `An abstract about ${title}.`,
        options.upvotes ?? 0,
        options.listedAt ?? new Date(now.getTime() - 6 * HOUR),
        options.ready === false ? null : now,
      ],
    );
    for (const topic of options.topics ?? []) {
      await sql.query(
        `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, 3, '{"title: \\"x\\""}')`,
        [rows[0].id, topic],
      );
    }
    return rows[0].id;
  }

  async function subscribe(
    fields: Partial<{
      email: string | null;
      slackWebhookUrl: string;
      topics: string[];
      keywords: string[];
      excludeTopics: string[];
      minUpvotes: number;
      maxPapers: number;
    }>,
  ) {
    return app.get(SubscriptionRepository).create({
      email: fields.email === undefined ? 'reader@example.org' : fields.email,
      slackWebhookUrl: fields.slackWebhookUrl
        ? new SecretBox(process.env.APP_SECRET as string).seal(fields.slackWebhookUrl)
        : null,
      excludeTopics: fields.excludeTopics ?? [],
      minUpvotes: fields.minUpvotes ?? 0,
      status: 'active',
      topics: fields.topics ?? [],
      keywords: fields.keywords ?? [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: fields.maxPapers ?? 20,
      activatedAt: new Date('2026-11-01T00:00:00Z'),
    });
  }

  /** Plans, builds and sends everything due at `at`, the way the jobs would. */
  async function runDigests(at: Date): Promise<string[]> {
    const { digestIds } = await app.get(DigestPlannerService).planDue(at);
    for (const digestId of digestIds) {
      await app.get(DigestBuilderService).build(digestId);
    }
    const deliveries = await sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending'`);
    for (const { id } of deliveries.rows) {
      await app.get(DeliveryService).send(id);
    }
    return digestIds;
  }

  const digestPapers = async (digestId: string): Promise<string[]> =>
    (
      await sql.query<{ title: string }>(
        `SELECT p.title FROM digest_papers d JOIN papers p ON p.id = d."paperId" WHERE d."digestId" = $1 ORDER BY d.rank`,
        [digestId],
      )
    ).rows.map((row) => row.title);

  it('should claim one digest per subscription and period, whoever asks', async () => {
    const subscription = await subscribe({ topics: ['llm'] });
    const planner = app.get(DigestPlannerService);
    const [first, second] = await Promise.all([planner.planDue(now), planner.planDue(now)]);
    const later = await planner.planDue(new Date(now.getTime() + HOUR));
    expect([...first.digestIds, ...second.digestIds]).toHaveLength(1);
    expect(later.digestIds).toEqual([]);
    const { rows } = await sql.query(`SELECT "periodKey" FROM digests WHERE "subscriptionId" = $1`, [subscription.id]);
    expect(rows).toEqual([{ periodKey: '2026-11-28' }]);
    const [digestId] = [...first.digestIds, ...second.digestIds];
    const job = await notifyQueue.getJob(`digest-${digestId}`);
    expect(job?.name).toBe(JobName.DigestBuild);
    expect(job?.data).toEqual({ digestId });
    const planned = await sql.query(`SELECT "plannedFor" FROM digests WHERE id = $1`, [digestId]);
    expect(planned.rows[0].plannedFor).toEqual(now);
  });

  it('should read a subscription again only at its next send time, or at once after a change of schedule', async () => {
    const subscription = await subscribe({ topics: ['llm'] }); // daily at 08:00 UTC
    const planner = app.get(DigestPlannerService);
    const planAt = async (): Promise<Date | null> =>
      (await sql.query(`SELECT "planAt" FROM subscriptions WHERE id = $1`, [subscription.id])).rows[0].planAt;
    expect(await planAt()).toBeNull();

    const early = new Date('2026-11-28T06:00:00Z');
    expect((await planner.planDue(early)).digestIds).toEqual([]);
    expect(await planAt()).toEqual(new Date('2026-11-28T08:00:00Z'));

    expect((await planner.planDue(now)).digestIds).toHaveLength(1);
    expect(await planAt()).toEqual(new Date('2026-11-29T08:00:00Z'));

    // The send hour moves to later today: the trigger resets planAt, and the next tick plans the
    // subscription afresh. At 20:00 it finds today's period claimed already: nothing more is sent.
    await sql.query(`UPDATE subscriptions SET "sendHour" = 20 WHERE id = $1`, [subscription.id]);
    expect(await planAt()).toBeNull();
    expect((await planner.planDue(now)).digestIds).toEqual([]);
    expect(await planAt()).toEqual(new Date('2026-11-28T20:00:00Z'));
    expect((await planner.planDue(new Date('2026-11-28T20:30:00Z'))).digestIds).toEqual([]);
    expect(await planAt()).toEqual(new Date('2026-11-29T20:00:00Z'));

    // A change that is not about the schedule (its topics) keeps planAt; pausing sets it aside.
    await sql.query(`UPDATE subscriptions SET topics = '{vision}' WHERE id = $1`, [subscription.id]);
    expect(await planAt()).toEqual(new Date('2026-11-29T20:00:00Z'));
    await sql.query(`UPDATE subscriptions SET frequency = 'paused' WHERE id = $1`, [subscription.id]);
    await planner.planDue(now);
    expect((await planAt())?.getUTCFullYear()).toBe(9999);
    await sql.query(`UPDATE subscriptions SET frequency = 'daily' WHERE id = $1`, [subscription.id]);
    expect((await planner.planDue(new Date('2026-11-29T20:30:00Z'))).digestIds).toHaveLength(1);
  });

  it('should pick matching, ready papers in the window, ranked by upvotes and capped', async () => {
    await addPaper('Popular LLM paper', { upvotes: 50, topics: ['llm'] });
    await addPaper('Quiet LLM paper', { upvotes: 1, topics: ['llm'] });
    await addPaper('Middle LLM paper', { upvotes: 10, topics: ['llm'] });
    await addPaper('Vision paper', { upvotes: 99, topics: ['vision'] });
    await addPaper('Old LLM paper', { upvotes: 99, topics: ['llm'], listedAt: new Date(now.getTime() - 3 * DAY) });
    await addPaper('Unready LLM paper', { upvotes: 99, topics: ['llm'], ready: false });
    await subscribe({ topics: ['llm'], maxPapers: 2 });
    const [digestId] = await runDigests(now);
    expect(await digestPapers(digestId)).toEqual(['Popular LLM paper', 'Middle LLM paper']);
    const { rows } = await sql.query(`SELECT status, "paperCount", "omittedCount" FROM digests WHERE id = $1`, [
      digestId,
    ]);
    expect(rows[0]).toEqual({ status: 'sent', paperCount: 2, omittedCount: 1 });
    expect(received).toHaveLength(1);
    // Unfolded: a long header is wrapped onto several lines at its spaces.
    const header = (key: string): string | undefined =>
      received[0].mail.headerLines
        .find((line) => line.key === key)
        ?.line.replace(/\r?\n(?=[ \t])/g, '')
        .replace(/^[^:]+:\s*/, '');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // The https link (one click) and a mailto: to the sender with the same signed token in the subject.
    const [, https, token, mailto] =
      /^<(https:\/\/papers\.example\.org\/unsubscribe\?token=([^>]+))>, <(mailto:[^>]+)>$/.exec(
        header('list-unsubscribe') ?? '',
      ) ?? [];
    expect(https).toBeDefined();
    expect(mailto).toBe(
      `mailto:paperboy@localhost?subject=${encodeURIComponent(`unsubscribe ${decodeURIComponent(token)}`)}`,
    );
    expect(header('list-id')).toBe('Paperboy digest <digest.papers.example.org>');
    expect(received[0].mail.messageId).toBe(`<digest-${digestId}@papers.example.org>`);
    expect(received[0].mail.html).toContain(`href="https://papers.example.org/digests/${digestId}?token&#x3D;`);
    expect(received[0].mail.text).toContain('1. Popular LLM paper');
    expect(received[0].mail.text).toContain('And 1 more matching paper, left out by your cap.');
    expect(received[0].mail.text).toMatch(
      /Manage your preferences: https:\/\/papers\.example\.org\/manage\?id=[0-9a-f-]+&token=\S+/,
    );
  });

  it('should match keywords with full-text search syntax and stemming', async () => {
    await addPaper('Scaling test-time compute', { abstract: 'We study test-time scaling of reasoning models.' });
    await addPaper('Quantized transformers', { abstract: 'Post-training quantization of large models.' });
    await addPaper('A survey of quantization', { abstract: 'This survey covers quantization.' });
    await addPaper('Unrelated', { abstract: 'Graph neural networks for molecules.' });
    await subscribe({ keywords: ['"test-time scaling"', 'quantization -survey'] });
    const [digestId] = await runDigests(now);
    expect((await digestPapers(digestId)).sort()).toEqual(['Quantized transformers', 'Scaling test-time compute']);
  });

  it('should never deliver a paper twice to a subscription, and bring late papers in the next digest', async () => {
    await addPaper('Day one paper', { topics: ['agents'] });
    await subscribe({ topics: ['agents'] });
    const [first] = await runDigests(now);
    expect(await digestPapers(first)).toEqual(['Day one paper']);

    // Next day: the first paper is still inside the 2-day lookback, and a late one arrived after the build.
    const nextDay = new Date(now.getTime() + DAY);
    await addPaper('Late paper', { topics: ['agents'], listedAt: new Date(now.getTime() + HOUR) });
    const [second] = await runDigests(nextDay);
    expect(await digestPapers(second)).toEqual(['Late paper']);

    // A day with nothing new: the digest is empty and nothing is sent.
    const [third] = await runDigests(new Date(now.getTime() + 2 * DAY));
    const { rows } = await sql.query(`SELECT status FROM digests WHERE id = $1`, [third]);
    expect(rows[0].status).toBe('empty');
    expect(received).toHaveLength(2);
    // The constraint, not only the query, forbids a repeat.
    await expect(
      sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank)
                 SELECT $1, "paperId", "subscriptionId", 9 FROM digest_papers WHERE "digestId" = $2`,
        [third, first],
      ),
    ).rejects.toThrow(/digest_papers_once_per_subscription/);
  });

  it('should list the papers a capped digest left out on the web view its "And N more" links to, and not count them as delivered', async () => {
    await addPaper('Paper one', { upvotes: 5, topics: ['llm'] });
    await addPaper('Paper two', { upvotes: 4, topics: ['llm'] });
    await addPaper('Paper three', { upvotes: 3, topics: ['llm'] });
    const subscription = await subscribe({ topics: ['llm'], maxPapers: 1 });
    const [digestId] = await runDigests(now);
    expect(received[0].mail.text).toContain('And 2 more matching papers, left out by your cap.');
    const allOfThem = /All of them: (\S+)/.exec(received[0].mail.text ?? '')?.[1] as string;
    const token = new URL(allOfThem).searchParams.get('token') as string;
    // The link opens this digest's web view (the api renders it; its own specs cover the page), and the
    // ledger the view is read from holds the paper shown, the count and the papers left out, in rank order.
    expect(verifyToken(process.env.APP_SECRET as string, 'digest', token, now, Infinity, subscription.linkVersion)).toBe(
      digestId,
    );
    const digest = await app.get(DigestRepository).findById(digestId);
    expect(await digestPapers(digestId)).toEqual(['Paper one']);
    expect(digest?.omittedCount).toBe(2);
    const leftOut = await app.get(PaperRepository).findWithTopics(digest?.leftOutPaperIds ?? []);
    expect(leftOut.map((paper) => paper.title)).toEqual(['Paper two', 'Paper three']);

    // Told about only as a number, they were not delivered: the ledger and the feed hold the paper shown only,
    // and the next digest (the two are still within its lookback) picks among them again.
    expect(await digestPapers(digestId)).toEqual(['Paper one']);
    const feed = await app.get(PaperRepository).deliveredTo(subscription.id, 50);
    expect(feed.map((paper) => paper.title)).toEqual(['Paper one']);
    const [next] = await runDigests(new Date(now.getTime() + DAY));
    expect(await digestPapers(next)).toEqual(['Paper two']);
    const { rows } = await sql.query<{ title: string }>(
      `SELECT p.title FROM digests d JOIN papers p ON p.id = ANY(d."leftOutPaperIds") WHERE d.id = $1`,
      [next],
    );
    expect(rows).toEqual([{ title: 'Paper three' }]);
    const feedAfter = await app.get(PaperRepository).deliveredTo(subscription.id, 50);
    expect(feedAfter.map((paper) => paper.title)).toEqual(['Paper two', 'Paper one']);
  });

  it(`should record at most ${LEFT_OUT_LISTED} of the papers a digest leaves out, and say so in the link`, async () => {
    await sql.query(
      `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt")
       SELECT '2611.' || (20000 + i), 'Bulk paper ' || i, 'An abstract.', '{"A. Author"}', 1000 - i, $1, $2
       FROM generate_series(1, $3) AS i`,
      [new Date(now.getTime() - 6 * HOUR), now, LEFT_OUT_LISTED + 3],
    );
    await subscribe({ maxPapers: 2 });
    const [digestId] = await runDigests(now);
    const { rows } = await sql.query(
      `SELECT d."omittedCount", cardinality(d."leftOutPaperIds") AS "listed", p.title AS "first"
       FROM digests d JOIN papers p ON p.id = d."leftOutPaperIds"[1] WHERE d.id = $1`,
      [digestId],
    );
    // Bulk papers 1 and 2 are shown; the list starts with the third.
    expect(rows[0]).toEqual({ omittedCount: LEFT_OUT_LISTED + 1, listed: LEFT_OUT_LISTED, first: 'Bulk paper 3' });
    expect(received[0].mail.text).toContain(
      `The first ${LEFT_OUT_LISTED} of them: https://papers.example.org/digests/`,
    );
  });

  it('should build a digest once when two workers build it at the same time', async () => {
    await addPaper('Paper A', { topics: ['code'] });
    await addPaper('Paper B', { topics: ['code'] });
    await subscribe({ topics: ['code'], slackWebhookUrl: slackUrl });
    const { digestIds } = await app.get(DigestPlannerService).planDue(now);
    const builder = app.get(DigestBuilderService);
    await Promise.all([builder.build(digestIds[0]), builder.build(digestIds[0]), builder.build(digestIds[0])]);
    const papers = await sql.query(`SELECT count(*)::int AS n FROM digest_papers WHERE "digestId" = $1`, [
      digestIds[0],
    ]);
    const deliveries = await sql.query(`SELECT channel FROM deliveries WHERE "digestId" = $1 ORDER BY channel`, [
      digestIds[0],
    ]);
    expect(papers.rows[0].n).toBe(2);
    expect(deliveries.rows).toEqual([{ channel: 'email' }, { channel: 'slack' }]);
  });

  it('should record a paper in one of two digests of a subscription built at once, neither failing', async () => {
    const reader = await subscribe({ topics: ['llm'] });
    await sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [reader.id]);
    await addPaper('In both windows', { topics: ['llm'], listedAt: new Date('2026-11-27T06:00:00Z') });
    const planner = app.get(DigestPlannerService);
    const [missed] = (await planner.planDue(new Date('2026-11-28T05:00:00Z'))).digestIds;
    const [today] = (await planner.planDue(new Date('2026-11-28T09:00:00Z'))).digestIds;
    const builder = app.get(DigestBuilderService);
    const results = await Promise.allSettled([missed, today, missed, today].map((id) => builder.build(id)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const holders = await sql.query(`SELECT "digestId" FROM digest_papers WHERE "subscriptionId" = $1`, [reader.id]);
    expect(holders.rows).toHaveLength(1);
  });

  it('should send a delivery once even when its job runs twice', async () => {
    await addPaper('Only paper', { topics: ['rl'] });
    await subscribe({ topics: ['rl'], email: null, slackWebhookUrl: slackUrl });
    const { digestIds } = await app.get(DigestPlannerService).planDue(now);
    await app.get(DigestBuilderService).build(digestIds[0]);
    const { rows } = await sql.query<{ id: string }>(`SELECT id FROM deliveries`);
    const delivery = app.get(DeliveryService);
    const outcomes = await Promise.all([delivery.send(rows[0].id), delivery.send(rows[0].id)]);
    expect(outcomes.sort()).toEqual(['sent', 'skipped']);
    expect(await delivery.send(rows[0].id)).toBe('skipped');
    expect(slackBodies).toHaveLength(1);
    expect(slackBodies[0]).toMatchObject({ text: 'Paperboy: 1 new paper for Saturday 28 November 2026' });
  });

  async function oneDelivery(channel: 'email' | 'slack'): Promise<string> {
    await addPaper('A paper', { topics: ['graphs'] });
    await subscribe(
      channel === 'email' ? { topics: ['graphs'] } : { topics: ['graphs'], email: null, slackWebhookUrl: slackUrl },
    );
    const { digestIds } = await app.get(DigestPlannerService).planDue(now);
    await app.get(DigestBuilderService).build(digestIds[0]);
    return (await sql.query<{ id: string }>(`SELECT id FROM deliveries`)).rows[0].id;
  }

  const deliveryRow = async (id: string) =>
    (await sql.query(`SELECT status, attempts, "lastError" FROM deliveries WHERE id = $1`, [id])).rows[0] as {
      status: string;
      attempts: number;
      lastError: string | null;
    };

  it('should fail an email for good on an SMTP 5xx and retry it after a 4xx', async () => {
    const id = await oneDelivery('email');
    smtpReply = { code: 451, message: 'Try again later' };
    const transient = await app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(transient).toBeInstanceOf(Error);
    expect(transient).not.toBeInstanceOf(PermanentError);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 1 });

    smtpReply = { code: 550, message: 'No such user' };
    const permanent = await app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as Error).message).toContain('550');
    expect(await deliveryRow(id)).toMatchObject({ status: 'failed', attempts: 2 });
    const digest = await sql.query(
      `SELECT d.status FROM digests d JOIN deliveries v ON v."digestId" = d.id WHERE v.id = $1`,
      [id],
    );
    expect(digest.rows[0].status).toBe('failed');
    expect(await app.get(DeliveryService).send(id)).toBe('skipped');
    expect(received).toHaveLength(0);
  });

  it('should retry Slack on 5xx, wait for the webhook slot, and disable the channel when the webhook is gone', async () => {
    const id = await oneDelivery('slack');
    slackStatus = 500;
    await expect(app.get(DeliveryService).send(id)).rejects.not.toBeInstanceOf(PermanentError);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending' });

    // Within the second: the webhook's slot is taken, the job is delayed, no failure is recorded.
    slackStatus = 404;
    const busy = await app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(RetryLaterError);
    expect((busy as RetryLaterError).delayMs).toBeLessThanOrEqual(1000);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', lastError: null });
    expect(slackBodies).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(app.get(DeliveryService).send(id)).rejects.toThrow(/HTTP 404 no_service/);
    // Two requests reached Slack; the wait for the webhook's slot was no attempt.
    expect(await deliveryRow(id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await deliveryRow(id)).lastError).not.toContain('/services/T1/B1/');
    const { rows } = await sql.query(
      `SELECT "slackDisabledAt" IS NOT NULL AS disabled, "slackDisabledReason" FROM subscriptions`,
    );
    expect(rows[0]).toEqual({ disabled: true, slackDisabledReason: 'HTTP 404 no_service' });

    // The next digest of this subscription goes to no Slack channel.
    await addPaper('Next paper', { topics: ['graphs'] });
    const [next] = (await app.get(DigestPlannerService).planDue(new Date(now.getTime() + DAY))).digestIds;
    await app.get(DigestBuilderService).build(next);
    const channels = await sql.query(`SELECT channel FROM deliveries WHERE "digestId" = $1`, [next]);
    expect(channels.rows).toEqual([]);
    expect((await sql.query(`SELECT status FROM digests WHERE id = $1`, [next])).rows[0].status).toBe('sent');
  });

  it('should suppress an address after the configured number of hard bounces', async () => {
    smtpReply = { code: 550, message: 'No such user' };
    await addPaper('Bounce paper 1', { topics: ['data'] });
    const subscription = await subscribe({ topics: ['data'] });
    for (const [day, title] of [
      [0, null],
      [1, 'Bounce paper 2'],
    ] as const) {
      if (title) {
        await addPaper(title, { topics: ['data'], listedAt: new Date(now.getTime() + day * DAY - HOUR) });
      }
      await runDigests(new Date(now.getTime() + day * DAY)).catch(() => undefined);
    }
    const row = await sql.query(
      `SELECT "hardBounces", "emailSuppressedAt" IS NOT NULL AS suppressed FROM subscriptions WHERE id = $1`,
      [subscription.id],
    );
    expect(row.rows[0]).toEqual({ hardBounces: 2, suppressed: true });
    // Suppressed: the next digest has no email delivery.
    await addPaper('Bounce paper 3', { topics: ['data'], listedAt: new Date(now.getTime() + 2 * DAY - HOUR) });
    const [third] = (await app.get(DigestPlannerService).planDue(new Date(now.getTime() + 2 * DAY))).digestIds;
    await app.get(DigestBuilderService).build(third);
    expect(
      (await sql.query(`SELECT count(*)::int AS n FROM deliveries WHERE "digestId" = $1`, [third])).rows[0].n,
    ).toBe(0);
  });

  it('should still send the digest of a day no tick saw due, once, and not to a subscription edited since', async () => {
    const dayBefore = new Date('2026-11-27T08:00:00Z'); // the send time of 2026-11-27 (UTC, 8 h)
    await addPaper('Missed day paper', { topics: ['llm'], listedAt: new Date(dayBefore.getTime() - 2 * HOUR) });
    const unchanged = await subscribe({ topics: ['llm'] });
    const edited = await subscribe({ topics: ['llm'], email: 'edited@example.org' });
    await sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [unchanged.id]);
    await sql.query(`UPDATE subscriptions SET "updatedAt" = $2 WHERE id = $1`, [
      edited.id,
      new Date(dayBefore.getTime() + HOUR),
    ]);

    // Every notifier was down from before 2026-11-27 08:00 until after midnight: the first tick comes
    // on 2026-11-28 before its own send time.
    const [missed, ...others] = await runDigests(new Date('2026-11-28T05:00:00Z'));
    expect(others).toEqual([]);
    const row = await sql.query(
      `SELECT "subscriptionId", "periodKey", "plannedFor", status FROM digests WHERE id = $1`,
      [missed],
    );
    expect(row.rows[0]).toEqual({
      subscriptionId: unchanged.id,
      periodKey: '2026-11-27',
      plannedFor: dayBefore,
      status: 'sent',
    });
    expect(await digestPapers(missed)).toEqual(['Missed day paper']);
    expect(received.map((mail) => mail.to)).toEqual([['reader@example.org']]);

    // Later ticks claim it no more; the day's own digest comes at its send time, with the new papers only.
    await addPaper('Next day paper', { topics: ['llm'], listedAt: new Date('2026-11-28T06:00:00Z') });
    expect(await runDigests(new Date('2026-11-28T07:00:00Z'))).toEqual([]);
    const today = await runDigests(new Date('2026-11-28T09:00:00Z'));
    const todays = await sql.query(
      `SELECT id FROM digests WHERE "subscriptionId" = $1 AND "periodKey" = '2026-11-28'`,
      [unchanged.id],
    );
    expect(today).toContain(todays.rows[0].id);
    expect(await digestPapers(todays.rows[0].id)).toEqual(['Next day paper']);
  });

  it('should send one digest after an outage across a send time, covering the missed day too', async () => {
    const reader = await subscribe({ topics: ['llm'] });
    await sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [reader.id]);
    await addPaper('Paper of the missed day', { topics: ['llm'], listedAt: new Date('2026-11-27T06:00:00Z') });
    await addPaper('Paper of today', { topics: ['llm'], listedAt: new Date('2026-11-28T06:00:00Z') });

    // Every notifier was down from before 2026-11-27 08:00 until after 2026-11-28 08:00.
    const built = await runDigests(new Date('2026-11-28T09:00:00Z'));
    expect(built).toHaveLength(1);
    const ledger = await sql.query<{ periodKey: string; status: string; paperCount: number }>(
      `SELECT "periodKey", status, "paperCount" FROM digests WHERE "subscriptionId" = $1 ORDER BY "dueAt"`,
      [reader.id],
    );
    expect(ledger.rows).toEqual([
      { periodKey: '2026-11-27', status: 'merged', paperCount: 0 },
      { periodKey: '2026-11-28', status: 'sent', paperCount: 2 },
    ]);
    expect((await digestPapers(built[0])).sort()).toEqual(['Paper of the missed day', 'Paper of today']);
    expect(received.map((mail) => mail.to)).toEqual([['reader@example.org']]);

    // Both periods are done: later ticks claim neither again.
    expect(await runDigests(new Date('2026-11-28T10:00:00Z'))).toEqual([]);
  });

  it('should reach back to the previous digest after an outage of days, and after a weekday moved later', async () => {
    const daily = await subscribe({ topics: ['llm'] });
    await sql.query(`UPDATE subscriptions SET "updatedAt" = '2026-11-01T00:00:00Z' WHERE id = $1`, [daily.id]);
    await addPaper('Before the outage', { topics: ['llm'], listedAt: new Date('2026-11-21T12:00:00Z') });
    await runDigests(new Date('2026-11-22T08:00:00Z'));
    // Every notifier down from 11-22 09:00 to 11-27 10:00: 11-26 is caught up, and reaches back to 11-22.
    await addPaper('Listed during the outage', { topics: ['llm'], listedAt: new Date('2026-11-22T12:00:00Z') });
    app.get(DigestMatcher).clear();
    await runDigests(new Date('2026-11-27T10:00:00Z'));
    const keys = await sql.query<{ periodKey: string }>(`SELECT "periodKey" FROM digests WHERE "subscriptionId" = $1 ORDER BY "dueAt"`, [daily.id]);
    // (11-21 is the first tick's catch-up.)
    expect(keys.rows.map((row) => row.periodKey)).toEqual(['2026-11-21', '2026-11-22', '2026-11-26', '2026-11-27']);
    const titles = async (subscriptionId: string) =>
      (
        await sql.query<{ title: string }>(
          `SELECT p.title FROM digest_papers d JOIN papers p ON p.id = d."paperId" WHERE d."subscriptionId" = $1 ORDER BY p.title`,
          [subscriptionId],
        )
      ).rows.map((row) => row.title);
    expect(await titles(daily.id)).toEqual(['Before the outage', 'Listed during the outage']);

    // Weekly on Monday; on Tuesday after Monday's digest the subscriber picks Sunday: W48 keeps its one
    // digest, and W49's, 13 days later, reaches back to Monday's.
    const weekly = await subscribe({ topics: ['agents'] });
    await sql.query(`UPDATE subscriptions SET frequency = 'weekly', weekday = 1 WHERE id = $1`, [weekly.id]);
    await addPaper('Before Monday', { topics: ['agents'], listedAt: new Date('2026-11-22T12:00:00Z') });
    app.get(DigestMatcher).clear();
    await runDigests(new Date('2026-11-23T09:00:00Z'));
    await addPaper('Listed Tuesday', { topics: ['agents'], listedAt: new Date('2026-11-24T12:00:00Z') });
    await app.get(SubscriptionRepository).updatePreferences(weekly.id, { ...weekly, frequency: 'weekly', weekday: 7 });
    for (let t = Date.parse('2026-11-24T10:00:00Z'); t <= Date.parse('2026-12-07T10:00:00Z'); t += 6 * HOUR) {
      app.get(DigestMatcher).clear();
      await runDigests(new Date(t));
    }
    const weeks = await sql.query<{ periodKey: string }>(`SELECT "periodKey" FROM digests WHERE "subscriptionId" = $1 ORDER BY "dueAt"`, [weekly.id]);
    expect(weeks.rows.map((row) => row.periodKey)).toEqual(['2026-W48', '2026-W49']);
    expect(await titles(weekly.id)).toEqual(['Before Monday', 'Listed Tuesday']);
  });

  it("should send the new zone's day after a zone moved west past today's digest, under a key of its own", async () => {
    const subscription = await subscribe({ topics: ['llm'] });
    await sql.query(`UPDATE subscriptions SET timezone = 'Asia/Tokyo' WHERE id = $1`, [subscription.id]);
    await addPaper('Tokyo morning paper', { topics: ['llm'], listedAt: new Date('2026-11-28T20:00:00Z') });
    await runDigests(new Date('2026-11-28T23:00:00Z')); // 08:00 in Tokyo on 11-29
    // At 01:00Z the subscriber moves to UTC, still 08:00: UTC's 11-29 is owed, 9 hours after Tokyo's.
    await app.get(SubscriptionRepository).updatePreferences(subscription.id, { ...subscription, timezone: 'UTC' });
    await addPaper('London morning paper', { topics: ['llm'], listedAt: new Date('2026-11-29T05:00:00Z') });
    app.get(DigestMatcher).clear();
    expect(await runDigests(new Date('2026-11-29T01:00:00Z'))).toEqual([]);
    const [utcDay] = await runDigests(new Date('2026-11-29T08:00:00Z'));
    const row = await sql.query(`SELECT "periodKey" FROM digests WHERE id = $1`, [utcDay]);
    expect(row.rows[0].periodKey).toBe('2026-11-29@2026-11-29T08:00:00.000Z');
    expect(await digestPapers(utcDay)).toEqual(['London morning paper']);
    expect(received.map((mail) => mail.mail.subject)).toEqual([
      expect.stringContaining('for Sunday 29 November 2026'),
      expect.stringMatching(/for Sunday 29 November 2026$/),
    ]);
    // Ticks later the same day claim nothing more; the next day goes on as usual.
    expect(await runDigests(new Date('2026-11-29T20:00:00Z'))).toEqual([]);
    const next = await runDigests(new Date('2026-11-30T08:00:00Z'));
    expect(next).toHaveLength(1);
  });

  it('should leave out excluded topics and papers below the minimum upvotes', async () => {
    await addPaper('Wanted', { upvotes: 10, topics: ['llm'] });
    await addPaper('Also safety', { upvotes: 10, topics: ['llm', 'safety'] });
    await addPaper('Too quiet', { upvotes: 2, topics: ['llm'] });
    await subscribe({ topics: ['llm'], excludeTopics: ['safety'], minUpvotes: 5 });
    const [digestId] = await runDigests(now);
    expect(await digestPapers(digestId)).toEqual(['Wanted']);
  });

  it('should release a claim left by a worker that died mid-send, and send it again', async () => {
    const id = await oneDelivery('email');
    // A worker claimed it, then died: the row says sending, and nobody will finish it.
    await sql.query(
      `UPDATE deliveries SET status = 'sending', attempts = 1, "updatedAt" = now() - interval '11 minutes' WHERE id = $1`,
      [id],
    );
    expect(await app.get(DeliveryService).send(id)).toBe('skipped');
    await notifyQueue.obliterate({ force: true });
    await app.get(DigestPlannerService).planDue(now);
    expect(await deliveryRow(id)).toMatchObject({
      status: 'pending',
      lastError: 'claim released: the sending worker stopped',
    });
    expect((await notifyQueue.getJob(`delivery-${id}`))?.data).toEqual({ deliveryId: id });
    expect(await app.get(DeliveryService).send(id)).toBe('sent');
    expect(received).toHaveLength(1);
  });

  it('should re-queue work that Redis lost', async () => {
    const id = await oneDelivery('email');
    await notifyQueue.obliterate({ force: true });
    await sql.query(`UPDATE deliveries SET "updatedAt" = now() - interval '10 minutes'`);
    await sql.query(`UPDATE digests SET status = 'pending', "createdAt" = now() - interval '10 minutes'`);
    await app.get(DigestPlannerService).planDue(now);
    expect((await notifyQueue.getJob(`delivery-${id}`))?.data).toEqual({ deliveryId: id });
    const digestId = (await sql.query<{ id: string }>('SELECT id FROM digests')).rows[0].id;
    expect((await notifyQueue.getJob(`digest-${digestId}`))?.name).toBe(JobName.DigestBuild);
  });

  it('should send the confirmation email of a pending subscription only', async () => {
    const pending = await app.get(SubscriptionRepository).create({
      email: 'new@example.org',
      slackWebhookUrl: null,
      status: 'pending',
      topics: ['llm'],
      keywords: [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: 20,
      activatedAt: null,
    });
    expect(await app.get(ConfirmationService).send(pending.id)).toBe('sent');
    expect(received[0].to).toEqual(['new@example.org']);
    expect(received[0].mail.text).toMatch(/https:\/\/papers\.example\.org\/subscriptions\/confirm\?token=\S+/);
    await app.get(SubscriptionRepository).activate(pending.id, now);
    expect(await app.get(ConfirmationService).send(pending.id)).toBe('skipped');
  });

  it('should put the tick scheduler back when Redis loses it', async () => {
    const scheduler = new DigestScheduler(notifyQueue);
    await scheduler.onApplicationBootstrap();
    try {
      expect(await notifyQueue.getJobScheduler(DIGEST_TICK_SCHEDULER)).toBeDefined();
      await deleteQueueKeys(REDIS_URL, prefix);
      expect(await notifyQueue.getJobScheduler(DIGEST_TICK_SCHEDULER)).toBeUndefined();
      await scheduler.restoreIfLost();
      expect((await notifyQueue.getJobScheduler(DIGEST_TICK_SCHEDULER))?.every).toBe(60_000);
    } finally {
      scheduler.onModuleDestroy();
      await notifyQueue.removeJobScheduler(DIGEST_TICK_SCHEDULER);
    }
  });

  it('should not count our own SMTP trouble as the address bouncing, and give up after every attempt', async () => {
    const id = await oneDelivery('email');
    // A 5xx to our sender (a relay refusing us) is not the subscriber's fault.
    smtpSenderReply = { code: 550, message: 'Sender not allowed to relay' };
    const refused = await app
      .get(DeliveryService)
      .send(id)
      .catch((error: unknown) => error);
    expect(refused).not.toBeInstanceOf(PermanentError);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 1 });
    const bounces = await sql.query(`SELECT "hardBounces", "emailSuppressedAt" FROM subscriptions`);
    expect(bounces.rows[0]).toEqual({ hardBounces: 0, emailSuppressedAt: null });

    // The last attempt fails the delivery for good, so the sweep stops re-queueing it.
    await sql.query(`UPDATE deliveries SET attempts = 7 WHERE id = $1`, [id]);
    await app
      .get(DeliveryService)
      .send(id)
      .catch(() => undefined);
    const row = await deliveryRow(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 8 });
    expect(row.lastError).toMatch(/^gave up after 8 failed attempts: /);
  });

  it('should resume a long Slack digest after the messages already accepted', async () => {
    for (let i = 0; i < 20; i += 1) {
      await addPaper(`Long digest paper ${i}`, { upvotes: 100 - i, topics: ['video'] });
    }
    await subscribe({ topics: ['video'], email: null, slackWebhookUrl: slackUrl });
    const { digestIds } = await app.get(DigestPlannerService).planDue(now);
    await app.get(DigestBuilderService).build(digestIds[0]);
    const id = (await sql.query<{ id: string }>(`SELECT id FROM deliveries`)).rows[0].id;

    slackStatuses.push(200, 500);
    await expect(app.get(DeliveryService).send(id)).rejects.toThrow(/HTTP 500/);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await app.get(DeliveryService).send(id)).toBe('sent');

    const texts = (slackBodies as { text: string }[]).map((body) => body.text);
    expect(texts).toEqual([
      'Paperboy: 20 new papers for Saturday 28 November 2026 (1/2)',
      'Paperboy: 20 new papers for Saturday 28 November 2026 (2/2)',
      'Paperboy: 20 new papers for Saturday 28 November 2026 (2/2)',
    ]);
  });
  /** Runs the delivery as a DeliverySend job of one attempt on a queue of its own; the job's failure reason. */
  async function failedReasonOf(deliveryId: string): Promise<string> {
    const name = `probe-${Math.random().toString(36).slice(2)}`;
    const connection = { url: REDIS_URL };
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection, prefix });
    const worker = new Worker(name, (job: Job, token?: string) => runJob(job, token, () => app.get(DeliveryService).send(deliveryId)), {
      connection,
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add(JobName.DeliverySend, { deliveryId }, { attempts: 1 });
      await job.waitUntilFinished(events).catch(() => undefined);
      return (await queue.getJob(job.id as string))?.failedReason ?? '';
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }

  it('should keep a webhook URL out of the ledger, the job failure reason and the logs, whatever its host (network failure)', async () => {
    // A port nobody listens on: the POST fails at the network level, on a host that is not hooks.slack.com.
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const secretPath = '/services/T9/B9/s3cr3t-token';
    await addPaper('Any paper', { topics: ['llm'] });
    await subscribe({ email: null, topics: ['llm'], slackWebhookUrl: `http://127.0.0.1:${port}${secretPath}` });

    const lines: string[] = [];
    const capture = (...args: unknown[]): void => void lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : JSON.stringify(arg))).join(' '));
    Logger.overrideLogger({ log: capture, warn: capture, error: capture, debug: capture, verbose: capture, fatal: capture });
    try {
      const [digestId] = (await app.get(DigestPlannerService).planDue(now)).digestIds;
      // The build's own send (whose failure is logged), then the delivery job.
      await app.get(DigestBuilderService).buildAndSend(digestId);
      const { rows } = await sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE "digestId" = $1`, [digestId]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const error = await app.get(DeliveryService).send(rows[0].id).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentError); // still retried: the error's kind is kept
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const reason = await failedReasonOf(rows[0].id);
      const row = await deliveryRow(rows[0].id);

      expect(reason).toMatch(/ECONNREFUSED|connect/);
      expect(row.lastError).toMatch(/ECONNREFUSED|connect/);
      expect(lines.join('\n')).toMatch(/will be retried/);
      for (const text of [(error as Error).message, String((error as Error).stack), reason, row.lastError, lines.join('\n')]) {
        expect(text).not.toContain('s3cr3t-token');
        expect(text).not.toContain('/services/T9');
      }
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });

  it('should count consecutive hard bounces only: an accepted email resets the count', async () => {
    const subscription = await subscribe({ topics: ['data'] });
    const day = async (offset: number, reply: typeof smtpReply): Promise<void> => {
      smtpReply = reply;
      await addPaper(`Paper of day ${offset}`, { topics: ['data'], listedAt: new Date(now.getTime() + offset * DAY - HOUR) });
      app.get(DigestMatcher).clear();
      await runDigests(new Date(now.getTime() + offset * DAY)).catch(() => undefined);
    };
    const bounces = async () =>
      (await sql.query(`SELECT "hardBounces", "emailSuppressedAt" IS NOT NULL AS suppressed FROM subscriptions WHERE id = $1`, [subscription.id]))
        .rows[0] as { hardBounces: number; suppressed: boolean };

    await day(0, { code: 550, message: 'Mailbox full' });
    expect(await bounces()).toEqual({ hardBounces: 1, suppressed: false });
    await day(1, null);
    expect(await bounces()).toEqual({ hardBounces: 0, suppressed: false });
    // Two bounces apart (MAIL_MAX_HARD_BOUNCES is 2): the address keeps its digests.
    await day(2, { code: 550, message: 'Mailbox full' });
    expect(await bounces()).toEqual({ hardBounces: 1, suppressed: false });
    await day(3, { code: 550, message: 'Mailbox full' });
    expect(await bounces()).toEqual({ hardBounces: 2, suppressed: true });
    expect(received).toHaveLength(1);
  });

  it('should not count a wait for the webhook slot as an attempt, nor a 429 against the attempts for failures', async () => {
    const id = await oneDelivery('slack');
    // The slot is taken (another digest to this webhook just went out): delayed, no attempt. It is taken
    // for long enough to outlast the sends below however slow the machine; freeing it is a 1 ms hold.
    const throttle = app.get(WebhookThrottle);
    await throttle.acquire(slackUrl, 600_000);
    const freeSlot = async (): Promise<void> => {
      await throttle.hold(slackUrl, 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    for (let i = 0; i < 20; i += 1) {
      const busy = await app.get(DeliveryService).send(id).catch((error: unknown) => error);
      expect(busy).toBeInstanceOf(RetryLaterError);
    }
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(slackBodies).toHaveLength(0);

    // Slack answers 429: an attempt, counted apart; the job waits Retry-After.
    await freeSlot();
    slackStatuses.push(429);
    const limited = await app.get(DeliveryService).send(id).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RetryLaterError);
    expect((limited as RetryLaterError).delayMs).toBe(1000);
    const counted = await sql.query(`SELECT status, attempts, "rateLimited" FROM deliveries WHERE id = $1`, [id]);
    expect(counted.rows[0]).toEqual({ status: 'pending', attempts: 1, rateLimited: 1 });

    // Many 429s earlier: a 5xx now is the first failed attempt, not the last.
    await sql.query(`UPDATE deliveries SET attempts = 30, "rateLimited" = 30 WHERE id = $1`, [id]);
    await freeSlot();
    slackStatuses.push(500);
    await expect(app.get(DeliveryService).send(id)).rejects.not.toBeInstanceOf(PermanentError);
    expect(await deliveryRow(id)).toMatchObject({ status: 'pending', attempts: 31 });
    // Failures still give up at DELIVERY_SEND_ATTEMPTS, 429s aside.
    await sql.query(`UPDATE deliveries SET attempts = $2 WHERE id = $1`, [id, 30 + DELIVERY_SEND_ATTEMPTS - 1]);
    await freeSlot();
    slackStatuses.push(500);
    await app.get(DeliveryService).send(id).catch(() => undefined);
    expect((await deliveryRow(id)).lastError).toMatch(new RegExp(`^gave up after ${DELIVERY_SEND_ATTEMPTS} failed attempts: `));
  });

  it('should give up a delivery Slack still rate-limits a day after its digest was built', async () => {
    const id = await oneDelivery('slack');
    await sql.query(`UPDATE deliveries SET "createdAt" = $2::timestamptz - interval '23 hours 59 minutes 59 seconds' WHERE id = $1`, [
      id,
      app.get(Clock).now(),
    ]);
    slackStatuses.push(429);
    const error = await app.get(DeliveryService).send(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    const row = await deliveryRow(id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/^gave up: still rate-limited 24 h after the digest was built/);
  });

  it('should send the confirmation of a new address to that address, with a link naming it', async () => {
    const subscription = await subscribe({ topics: ['llm'] });
    await sql.query(`UPDATE subscriptions SET "pendingEmail" = 'next@example.org' WHERE id = $1`, [subscription.id]);
    expect(await app.get(ConfirmationService).sendEmailChange(subscription.id, now)).toBe('sent');
    expect(received[0].to).toEqual(['next@example.org']);
    const link = emailChangeConfirmUrl('https://papers.example.org', process.env.APP_SECRET as string, subscription.id, 'next@example.org', now);
    expect(received[0].mail.text).toContain(link);
    // Confirmed (or withdrawn) since: nothing to send.
    await sql.query(`UPDATE subscriptions SET "pendingEmail" = NULL WHERE id = $1`, [subscription.id]);
    expect(await app.get(ConfirmationService).sendEmailChange(subscription.id, now)).toBe('skipped');
  });
});
