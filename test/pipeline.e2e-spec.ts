import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import Parser from 'rss-parser';
import { AppProcess, deleteQueueKeys, runCli, startServices, waitFor } from './support/processes';
import { startSmtpSink, SmtpSink, ReceivedMail } from './support/smtp-sink';
import { HfStandIn, SlackSink, startHfStandIn, startSlackSink } from './support/stand-ins';
import { freePort } from './support/tcp-proxy';
import { createTestDatabase, TestDatabase, testQueuePrefix } from './support/test-database';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 3600_000;

/**
 * The whole pipeline through its public interfaces: four app processes, real Postgres, Redis and SMTP,
 * loopback stand-ins for Hugging Face and Slack, driven by HTTP and the operator CLI.
 */
describe('Paperboy pipeline (end to end)', () => {
  const today = DateTime.utc().toISODate();
  const tomorrow = DateTime.utc().plus({ days: 1 }).toISODate();
  let database: TestDatabase;
  let smtp: SmtpSink;
  let hf: HfStandIn;
  let slack: SlackSink;
  const apps: AppProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let api: string;
  let sql: Client;
  let workDir: string;
  const prefix = testQueuePrefix('e2e');

  beforeAll(async () => {
    database = await createTestDatabase('e2e');
    [smtp, hf, slack] = await Promise.all([startSmtpSink(), startHfStandIn(today), startSlackSink()]);
    workDir = mkdtempSync(join(tmpdir(), 'paperboy-e2e-'));
    const sourcesFile = join(workDir, 'sources.yml');
    writeFileSync(
      sourcesFile,
      `sources:\n  - id: hf-daily\n    kind: hf-daily-papers\n    url: ${hf.url}\n    schedule: "0 6 * * *"\n`,
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Paperboy <digest@paperboy.test>',
      PUBLIC_URL: api,
      PORT: String(port),
      APP_SECRET: 'e2e-secret-e2e-secret-e2e-secret',
      SOURCES_FILE: sourcesFile,
      ALLOW_PRIVATE_TARGETS: 'true',
      // The Slack stand-in is on loopback: lift the webhook host rule too (a test-only setting).
      ALLOW_ANY_WEBHOOK_HOST: 'true',
    };
    await startServices(apps, env, api);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await Promise.all(apps.map((app) => app.stop()));
    await Promise.all([smtp?.close(), hf?.close(), slack?.close()]);
    await deleteQueueKeys(REDIS_URL, prefix);
    await database?.drop();
    rmSync(workDir, { force: true, recursive: true });
  });

  const mailsTo = (address: string): ReceivedMail[] => smtp.mails.filter((mail) => mail.to.includes(address));
  const digestsTo = (address: string): ReceivedMail[] =>
    mailsTo(address).filter((mail) => mail.parsed.subject?.includes('new paper'));

  /** The titles listed in a digest's plain-text part ("1. Title"). */
  const titlesIn = (mail: ReceivedMail): string[] =>
    (mail.parsed.text ?? '')
      .split('\n')
      .map((line) => /^\d+\. (.+)$/.exec(line)?.[1])
      .filter((title): title is string => title !== undefined)
      .sort();

  // The CLI sends "as if" 23 hours from now, and each subscriber's send hour is that instant's local
  // hour: due then (and 24 hours later), while today's period was due before the subscription existed,
  // so the minute tick of the running notifier never sends on its own, whatever time the test runs.
  const firstSendAt = new Date(Date.now() + 23 * HOUR);
  const sendHourIn = (zone: string): number => DateTime.fromJSDate(firstSendAt, { zone }).hour;
  const subscribe = async (body: Record<string, unknown>): Promise<Response> =>
    fetch(`${api}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('should deliver each matching paper once, by email and Slack, and stop after one-click unsubscribe', async () => {
    // Subscribers: two topic/keyword ones, one for everything with a cap, one who never confirms, one Slack channel.
    const people = {
      alice: { email: 'alice@example.org', topics: ['image-generation'], timezone: 'Europe/Paris', maxPapers: 100 },
      bob: { email: 'bob@example.org', keywords: ['quantization'], timezone: 'America/New_York', maxPapers: 100 },
      dave: { email: 'dave@example.org', timezone: 'Asia/Tokyo', maxPapers: 5 },
      carol: { email: 'carol@example.org', topics: ['reasoning'], timezone: 'UTC' },
    };
    for (const person of Object.values(people)) {
      const response = await subscribe({ ...person, sendHour: sendHourIn(person.timezone) });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ status: 'pending', message: 'Check your inbox to confirm the subscription.' });
    }
    const slackResponse = await subscribe({
      slackWebhookUrl: slack.webhookUrl,
      topics: ['agents'],
      timezone: 'UTC',
      sendHour: sendHourIn('UTC'),
      maxPapers: 10,
    });
    expect(slackResponse.status).toBe(202);
    expect(await slackResponse.json()).toMatchObject({ status: 'active' });

    // Double opt-in: everyone gets a confirmation; carol never clicks hers.
    await waitFor('four confirmation emails', async () => smtp.mails.length >= 4);
    for (const name of ['alice', 'bob', 'dave'] as const) {
      const [confirmation] = mailsTo(people[name].email);
      const link = /(http:\/\/\S+\/subscriptions\/confirm\?token=\S+)/.exec(confirmation.parsed.text ?? '')?.[1];
      expect(link).toBeDefined();
      const page = await fetch(link as string);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Subscription confirmed');
    }

    // Fetch today's listing through the running services.
    const fetched = await runCli(['fetch', '--date', today], env);
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toContain('120 listed, 120 new, all classified');

    // What each subscriber should get, computed independently of the notifier.
    const expected = async (query: string, params: unknown[]): Promise<string[]> =>
      (await sql.query<{ title: string }>(query, params)).rows.map((row) => row.title).sort();
    const imageGeneration = await expected(
      `SELECT p.title FROM papers p JOIN paper_topics t ON t."paperId" = p.id WHERE t.topic = $1`,
      ['image-generation'],
    );
    const quantization = await expected(`SELECT title FROM papers WHERE (title || ' ' || abstract) ~* $1`, ['quantiz']);
    const topFive = await expected(`SELECT title FROM papers ORDER BY upvotes DESC, "listedAt" DESC, id LIMIT 5`, []);
    expect(imageGeneration.length).toBeGreaterThan(3);
    expect(quantization.length).toBeGreaterThan(3);

    // A preview shows bob's digest without sending or recording anything.
    const bobId = (await sql.query<{ id: string }>(`SELECT id FROM subscriptions WHERE email = $1`, [people.bob.email])).rows[0].id;
    const sendAt = firstSendAt.toISOString();
    const preview = await runCli(['digest', 'preview', '--subscription', bobId, '--now', sendAt], env);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/^Subject: Paperboy: \d+ new papers for /);
    for (const title of quantization) {
      expect(preview.stdout).toContain(title);
    }
    expect((await sql.query('SELECT count(*)::int AS n FROM digests')).rows[0].n).toBe(0);
    const unknown = await runCli(['digest', 'preview', '--subscription', '00000000-0000-0000-0000-000000000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No subscription with id "00000000-0000-0000-0000-000000000000"');

    const firstSend = await runCli(['digest', 'send', '--now', sendAt], env);
    expect(firstSend.stderr).toBe('');
    expect(firstSend.code).toBe(0);
    expect(firstSend.stdout).toMatch(/: 4 \(4 sent, 0 empty, 0 failed\); deliveries: 3 email, 1 Slack, 0 failed/);

    const [aliceDigest] = digestsTo(people.alice.email);
    expect(digestsTo(people.alice.email)).toHaveLength(1);
    expect(titlesIn(aliceDigest)).toEqual(imageGeneration);
    expect(digestsTo(people.bob.email)).toHaveLength(1);
    expect(titlesIn(digestsTo(people.bob.email)[0])).toEqual(quantization);
    expect(digestsTo(people.dave.email)).toHaveLength(1);
    expect(titlesIn(digestsTo(people.dave.email)[0])).toEqual(topFive);
    expect(digestsTo(people.dave.email)[0].parsed.text).toContain('And 115 more matching papers, left out by your cap.');
    expect(mailsTo(people.carol.email)).toHaveLength(1); // the confirmation only

    // RFC 8058 headers, and an HTML part with the same papers.
    const header = (name: string): string | undefined =>
      aliceDigest.parsed.headerLines.find((line) => line.key === name)?.line.replace(/^[^:]+:\s*/, '');
    const unsubscribeUrl = /^<(http[^>]+)>,\s+<mailto:[^>]+>$/.exec(header('list-unsubscribe') ?? '')?.[1];
    expect(unsubscribeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(aliceDigest.parsed.html).toContain(imageGeneration[0].replace(/&/g, '&amp;').replace(/</g, '&lt;'));

    // One valid Block Kit message in Slack.
    expect(slack.messages).toHaveLength(1);
    const [message] = slack.messages;
    expect(message.text).toMatch(/^Paperboy: \d+ new papers? for /);
    expect(message.blocks?.[0]).toMatchObject({ type: 'header' });
    expect(message.blocks?.filter((block) => block.type === 'section').length).toBeGreaterThan(0);
    expect(message.blocks?.length).toBeLessThanOrEqual(50);

    // The public feed parses and lists the day's papers.
    const feedResponse = await fetch(`${api}/feeds/papers.rss`);
    expect(feedResponse.headers.get('content-type')).toContain('application/rss+xml');
    const feed = await new Parser().parseString(await feedResponse.text());
    const allTitles = await expected('SELECT title FROM papers', []);
    expect(allTitles).toHaveLength(120);
    expect(feed.items.map((item) => item.title).sort()).toEqual(allTitles);

    // The same period again sends nothing.
    const mailCount = smtp.mails.length;
    const secondSend = await runCli(['digest', 'send', '--now', new Date(firstSendAt.getTime() + 60_000).toISOString()], env);
    expect(secondSend.code).toBe(0);
    expect(secondSend.stdout).toMatch(/: 0 \(0 sent, 0 empty, 0 failed\)/);
    expect(smtp.mails).toHaveLength(mailCount);
    expect(slack.messages).toHaveLength(1);

    // One-click unsubscribe, then a new day of papers: alice gets nothing, bob gets the new day's papers.
    const unsubscribed = await fetch(unsubscribeUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(unsubscribed.status).toBe(200);
    const nextFetch = await runCli(['fetch', '--date', tomorrow], env);
    expect(nextFetch.code).toBe(0);
    expect(nextFetch.stdout).toContain('120 listed, 120 new');
    const thirdSend = await runCli(['digest', 'send', '--now', new Date(firstSendAt.getTime() + 24 * HOUR).toISOString()], env);
    expect(thirdSend.code).toBe(0);
    expect(digestsTo(people.alice.email)).toHaveLength(1);
    expect(digestsTo(people.bob.email)).toHaveLength(2);
    const bobSecond = titlesIn(digestsTo(people.bob.email)[1]);
    expect(bobSecond).toEqual(quantization); // same titles, new papers: nothing of day one repeated
    expect(slack.messages).toHaveLength(2);
  }, 240_000);
});
