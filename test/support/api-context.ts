import { Job, JobType, Queue } from 'bullmq';
import { Client } from 'pg';
import { Response } from 'supertest';
import { ApiApp, startApiApp } from './api-app';

/*
 * The context of the api's subscription, link, topic and health specs: the api in-process (createApiApp,
 * as main.ts does) against real Postgres and Redis, one database per spec file, driven over HTTP, with
 * readers of what it stored and queued. Each spec file calls useApi() once.
 */

export const SECRET = 'api-int-secret-api-int-secret-0123';
export const PUBLIC_URL = 'http://127.0.0.1';
export const DAY = 24 * 3600 * 1000;
export const PENDING_ANSWER = { status: 'pending', message: 'Check your inbox to confirm the subscription.' };
export const ALL_JOB_STATES: JobType[] = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'completed',
  'failed',
  'waiting-children',
];

export interface SubscriptionRow {
  id: string;
  email: string | null;
  slackWebhookUrl: string | null;
  status: 'pending' | 'active' | 'unsubscribed';
  topics: string[];
  keywords: string[];
  frequency: string;
  weekday: number;
  timezone: string;
  sendHour: number;
  maxPapers: number;
  activatedAt: Date | null;
  unsubscribedAt: Date | null;
}

export interface ErrorBody {
  statusCode: number;
  message: string | string[];
}

/** The api, its queues and its readers; `api`, `sql` and `queues` are there once beforeAll has run. */
export interface ApiContext {
  readonly api: ApiApp;
  readonly sql: Client;
  readonly queues: Record<'fetch' | 'classify' | 'notify', Queue>;
  http(): ReturnType<ApiApp['http']>;
  subscribe(body: string | object): Promise<Response>;
  countSubscriptions(): Promise<number>;
  rowById(id: string): Promise<SubscriptionRow>;
  rowsByEmail(email: string): Promise<SubscriptionRow[]>;
  messagesOf(response: Response): string[];
  /** Every job of every queue, whatever its state. */
  allJobs(): Promise<Job[]>;
  /** A pending email subscription made through the api; its id read back from the database. */
  newPendingSubscription(email: string): Promise<string>;
}

/** Boots the api for the spec file (beforeAll) and stops it (afterAll). */
export function useApi(label: string): ApiContext {
  let api: ApiApp;
  let sql: Client;
  let queues: Record<'fetch' | 'classify' | 'notify', Queue>;

  beforeAll(async () => {
    api = await startApiApp(label, {
      APP_SECRET: SECRET,
      PUBLIC_URL,
      ALLOW_PRIVATE_TARGETS: 'false',
      // These tests subscribe many times from one address; the limit has its own test.
      SUBSCRIBE_RATE_LIMIT: '10000',
    });
    sql = api.sql;
    queues = { fetch: api.queue('fetch'), classify: api.queue('classify'), notify: api.queue('notify') };
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const subscribe = (body: string | object): Promise<Response> =>
    http().post('/api/subscriptions').set('content-type', 'application/json').send(body);
  const countSubscriptions = async (): Promise<number> =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n;
  const rowById = async (id: string): Promise<SubscriptionRow> => {
    const { rows } = await sql.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const rowsByEmail = async (email: string): Promise<SubscriptionRow[]> =>
    (await sql.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE email = $1 ORDER BY "createdAt", id', [email]))
      .rows;
  const messagesOf = (response: Response): string[] => [(response.body as ErrorBody).message].flat();
  const allJobs = async (): Promise<Job[]> =>
    (await Promise.all(Object.values(queues).map((queue) => queue.getJobs(ALL_JOB_STATES)))).flat();

  /** A pending email subscription made through the api; its id read back from the database. */
  const pendingSubscription = async (email: string): Promise<string> => {
    const response = await subscribe({ email });
    expect(response.status).toBe(202);
    const rows = await rowsByEmail(email);
    expect(rows).toHaveLength(1);
    return rows[0].id;
  };

  return {
    get api() {
      return api;
    },
    get sql() {
      return sql;
    },
    get queues() {
      return queues;
    },
    http,
    subscribe,
    countSubscriptions,
    rowById,
    rowsByEmail,
    messagesOf,
    allJobs,
    newPendingSubscription: pendingSubscription,
  };
}
