import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Server } from 'node:http';
import { Client } from 'pg';
import request, { Agent } from 'supertest';
import { RelevanceRepository } from '@libs/database';
import { Clock, termCounts } from '@libs/domain';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { TestEnv } from './fetcher-context';
import { deleteQueueKeys } from './processes';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Environment settings of the api under test, by name. */
export type ApiSettings = Record<string, string>;

export interface ApiAppOptions {
  /** Nest's log levels while the tests run; quieter where a test provokes warnings on purpose. */
  logLevels?: LogLevel[];
  /** Listen on this loopback port (for a real browser); without it the app is only initialised, for supertest. */
  port?: number;
}

/** The api in-process (createApiApp, as main.ts does) on a database and queue prefix of the test's own. */
export interface ApiApp {
  app: INestApplication;
  database: TestDatabase;
  /** A client of the test database, for seeding and reading back. */
  sql: Client;
  prefix: string;
  /** Every setting the app booted with, for other processes that must share its database and queues. */
  env: ApiSettings;
  http(): Agent;
  /** A BullMQ queue on the app's prefix (one per name, closed with the app). */
  queue(name: string): Queue;
  /** The instant the app acts at, from its injected Clock: links a test signs or checks "now" agree with the app's. */
  now(): Date;
  /** Undoes everything: queues, client, app, queue keys, database, environment. */
  close(): Promise<void>;
}

/**
 * Boots the api against real Postgres and Redis. DATABASE_URL, REDIS_URL and QUEUE_PREFIX point at the
 * test's own database and prefix unless the settings say otherwise; settings may be computed from the
 * database (to route it through a proxy, say). If the boot fails, what was started is undone before it throws.
 */
export async function startApiApp(
  label: string,
  settings: ApiSettings | ((database: TestDatabase) => ApiSettings),
  options: ApiAppOptions = {},
): Promise<ApiApp> {
  Logger.overrideLogger(options.logLevels ?? ['error', 'warn']);
  const prefix = testQueuePrefix(label);
  const testEnv = new TestEnv();
  const queues = new Map<string, Queue>();
  let database: TestDatabase | undefined;
  let app: INestApplication | undefined;
  let sql: Client | undefined;
  const close = async (): Promise<void> => {
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    await sql?.end();
    await app?.close();
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    testEnv.restore();
  };
  try {
    database = await createTestDatabase(label);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ...(typeof settings === 'function' ? settings(database) : settings),
    };
    testEnv.set(env);
    app = await createApiApp();
    await (options.port === undefined ? app.init() : app.listen(options.port, '127.0.0.1'));
    const client = new Client({ connectionString: database.url });
    await client.connect();
    sql = client;
    const server = app.getHttpServer() as Server;
    const clock = app.get(Clock);
    return {
      app,
      database,
      sql,
      prefix,
      env,
      http: () => request(server),
      queue: (name) => {
        const queue = queues.get(name) ?? new Queue(name, { connection: { url: REDIS_URL }, prefix });
        queues.set(name, queue);
        return queue;
      },
      now: () => clock.now(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A paper as the fetcher and classifier would have stored it; what a test leaves out gets a plain default. */
export interface PaperSeed {
  title: string;
  abstract: string;
  listedAt: string;
  arxivId?: string | null;
  doi?: string | null;
  authors?: string[];
  upvotes?: number;
  url?: string | null;
  codeUrl?: string | null;
  /** Classified (readyAt set); true unless said otherwise. */
  ready?: boolean;
  topics?: { topic: string; score: number; evidence: string[] }[];
}

/** Inserts the papers with their topic tags, in order; returns their ids in the same order. */
export async function insertPapers(sql: Client, papers: PaperSeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const paper of papers) {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO papers ("arxivId", doi, title, abstract, authors, upvotes, url, "codeUrl", "listedAt", "readyAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10::boolean THEN now() END) RETURNING id`,
      [
        paper.arxivId ?? null,
        paper.doi ?? null,
        paper.title,
        paper.abstract,
        paper.authors ?? ['Grace Hopper'],
        paper.upvotes ?? 0,
        paper.url ?? null,
        paper.codeUrl ?? null,
        paper.listedAt,
        paper.ready ?? true,
      ],
    );
    for (const tag of paper.topics ?? []) {
      await sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, $3, $4)`, [
        rows[0].id,
        tag.topic,
        tag.score,
        tag.evidence,
      ]);
    }
    ids.push(rows[0].id);
  }
  return ids;
}

/**
 * Papers by name, inserted in order (listed a day apart from 2026-11-20, upvotes 10, 11, …), with the term
 * counts the classifier stores as papers become ready; their ids by name.
 */
export async function insertFeaturedPapers<Name extends string>(
  api: ApiApp,
  papers: Record<Name, Omit<PaperSeed, 'listedAt'>>,
): Promise<Record<Name, string>> {
  const names = Object.keys(papers) as Name[];
  const inserted = await insertPapers(
    api.sql,
    names.map((name, i) => ({ ...papers[name], listedAt: `2026-11-2${i}T10:00:00Z`, upvotes: 10 + i })),
  );
  const relevance = api.app.get(RelevanceRepository);
  await relevance.storeFeatures(
    (await relevance.unfeaturized(100)).map((paper) => ({ paperId: paper.id, counts: termCounts(paper) })),
  );
  return Object.fromEntries(names.map((name, i) => [name, inserted[i]])) as Record<Name, string>;
}
