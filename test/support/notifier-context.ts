import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { createServer, Server } from 'node:http';
import { Client } from 'pg';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Settings, SettingsModule } from '@libs/config';
import { DatabaseModule, SubscriptionRepository } from '@libs/database';
import { SecretBox } from '@libs/domain';
import { HttpModule } from '@libs/http';
import { MailModule } from '@libs/mail';
import { JobName, QueueName, QueuesModule, runJob } from '@libs/queues';
import { EmailChannel } from '../../apps/notifier/src/channels/email.channel';
import { SlackChannel } from '../../apps/notifier/src/channels/slack.channel';
import { WebhookThrottle } from '../../apps/notifier/src/channels/webhook-throttle';
import { ConfirmationCap } from '../../apps/notifier/src/confirmation-cap';
import { ConfirmationService } from '../../apps/notifier/src/confirmation.service';
import { DeliveryService } from '../../apps/notifier/src/delivery.service';
import { DigestBuilderService } from '../../apps/notifier/src/digest-builder.service';
import { DigestMatcher } from '../../apps/notifier/src/digest-matcher';
import { DigestPlannerService } from '../../apps/notifier/src/digest-planner.service';
import { deleteQueueKeys } from './processes';
import { close, listen } from './stand-ins';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './test-database';

/*
 * The context of the notifier's specs: its services in-process against real Postgres and Redis, an SMTP
 * server and a Slack stand-in whose answers each test chooses, and fixture builders for papers and
 * subscriptions. Each spec file calls useNotifier() once; every test starts from empty tables and queues.
 */

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** Every test reuses the same instant, hence the same window, with other papers. */
export const now = new Date('2026-11-28T12:00:00Z');

export interface PaperOptions {
  upvotes?: number;
  listedAt?: Date;
  topics?: string[];
  abstract?: string;
  ready?: boolean;
}

export type SubscriptionFields = Partial<{
  email: string | null;
  slackWebhookUrl: string;
  topics: string[];
  keywords: string[];
  excludeTopics: string[];
  minUpvotes: number;
  maxPapers: number;
}>;

type Reply = { code: number; message: string } | null;

export class NotifierContext {
  app!: INestApplicationContext;
  sql!: Client;
  notifyQueue!: Queue;
  readonly prefix: string;
  /** The mail the SMTP server accepted, with its envelope recipients. */
  readonly received: { to: string[]; mail: ParsedMail }[] = [];
  /** The SMTP server's answer to RCPT TO (null: accept). */
  smtpReply: Reply = null;
  /** The SMTP server's answer to MAIL FROM (null: accept). */
  smtpSenderReply: Reply = null;
  /** A webhook of its own per test: the throttle allows one message a second per webhook. */
  slackUrl = '';
  /** The Slack stand-in's status, after the ones queued in slackStatuses. */
  slackStatus = 200;
  readonly slackStatuses: number[] = [];
  readonly slackBodies: unknown[] = [];

  constructor(label: string) {
    this.prefix = testQueuePrefix(label);
  }

  /** A paper listed six hours before `now`, ready unless said otherwise, tagged with the given topics. */
  async newPaper(title: string, options: PaperOptions = {}): Promise<string> {
    const { rows } = await this.sql.query<{ id: string }>(
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
      await this.sql.query(
        `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, 3, '{"title: \\"x\\""}')`,
        [rows[0].id, topic],
      );
    }
    return rows[0].id;
  }

  /** An active daily subscription (08:00 UTC, by email unless said otherwise), through the repository. */
  newSubscription(fields: SubscriptionFields) {
    return this.app.get(SubscriptionRepository).create({
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
  async runDigests(at: Date): Promise<string[]> {
    const { digestIds } = await this.app.get(DigestPlannerService).planDue(at);
    for (const digestId of digestIds) {
      await this.app.get(DigestBuilderService).build(digestId);
    }
    const deliveries = await this.sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending'`);
    for (const { id } of deliveries.rows) {
      await this.app.get(DeliveryService).send(id);
    }
    return digestIds;
  }

  /** The titles a digest recorded, in rank order. */
  async digestPapers(digestId: string): Promise<string[]> {
    const { rows } = await this.sql.query<{ title: string }>(
      `SELECT p.title FROM digest_papers d JOIN papers p ON p.id = d."paperId" WHERE d."digestId" = $1 ORDER BY d.rank`,
      [digestId],
    );
    return rows.map((row) => row.title);
  }

  /** One built digest of one paper with one pending delivery on the channel; its id. */
  async oneDelivery(channel: 'email' | 'slack'): Promise<string> {
    await this.newPaper('A paper', { topics: ['graphs'] });
    await this.newSubscription(
      channel === 'email' ? { topics: ['graphs'] } : { topics: ['graphs'], email: null, slackWebhookUrl: this.slackUrl },
    );
    const { digestIds } = await this.app.get(DigestPlannerService).planDue(now);
    await this.app.get(DigestBuilderService).build(digestIds[0]);
    return (await this.sql.query<{ id: string }>(`SELECT id FROM deliveries`)).rows[0].id;
  }

  async deliveryRow(id: string): Promise<{ status: string; attempts: number; lastError: string | null }> {
    return (await this.sql.query(`SELECT status, attempts, "lastError" FROM deliveries WHERE id = $1`, [id])).rows[0];
  }

  /** Sends the delivery in a real BullMQ job once and returns the reason the job failed with. */
  async failedReasonOf(deliveryId: string): Promise<string> {
    const name = `probe-${Math.random().toString(36).slice(2)}`;
    const connection = { url: REDIS_URL };
    const prefix = this.prefix;
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection, prefix });
    const worker = new Worker(
      name,
      (job: Job, token?: string) => runJob(job, token, () => this.app.get(DeliveryService).send(deliveryId)),
      { connection, prefix },
    );
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
}

/** Starts the notifier's services and stand-ins for the spec file and resets them before each test. */
export function useNotifier(label: string): NotifierContext {
  const ctx = new NotifierContext(label);
  const savedEnv = { ...process.env };
  let database: TestDatabase;
  let smtp: SMTPServer;
  let slack: Server;
  let slackBase: string;

  const refusal = (reply: { code: number; message: string }) =>
    Object.assign(new Error(reply.message), { responseCode: reply.code });

  beforeAll(async () => {
    database = await createTestDatabase(label);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onMailFrom(_address, _session, callback) {
        callback(ctx.smtpSenderReply ? refusal(ctx.smtpSenderReply) : undefined);
      },
      onRcptTo(_address, _session, callback) {
        callback(ctx.smtpReply ? refusal(ctx.smtpReply) : undefined);
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            ctx.received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
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
        ctx.slackBodies.push(JSON.parse(body));
        const status = ctx.slackStatuses.shift() ?? ctx.slackStatus;
        res.writeHead(status, { 'content-type': 'text/plain', ...(status === 429 ? { 'retry-after': '1' } : {}) });
        res.end(status === 200 ? 'ok' : status === 404 ? 'no_service' : status === 429 ? 'rate_limited' : 'internal_error');
      });
    });
    slackBase = await listen(slack);

    Object.assign(process.env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: ctx.prefix,
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
    ctx.app = await moduleRef.init();
    ctx.notifyQueue = ctx.app.get<Queue>(getQueueToken(QueueName.Notify));
    ctx.sql = new Client({ connectionString: database.url });
    await ctx.sql.connect();
  });

  afterAll(async () => {
    await ctx.sql?.end();
    await ctx.app?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await close(slack);
    await deleteQueueKeys(REDIS_URL, ctx.prefix);
    await database?.drop();
    process.env = savedEnv;
  });

  beforeEach(async () => {
    await ctx.sql.query('TRUNCATE papers, subscriptions, digests, digest_papers, deliveries, paper_topics CASCADE');
    await ctx.notifyQueue.obliterate({ force: true });
    // Every test reuses the same instant, hence the same window, with other papers.
    ctx.app.get(DigestMatcher).clear();
    ctx.received.length = 0;
    ctx.slackBodies.length = 0;
    ctx.smtpReply = null;
    ctx.smtpSenderReply = null;
    ctx.slackStatus = 200;
    ctx.slackStatuses.length = 0;
    ctx.slackUrl = `${slackBase}/services/T1/B1/secret-${Math.random().toString(36).slice(2)}`;
  });

  return ctx;
}
