import { join } from 'node:path';
import { Client } from 'pg';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { signToken } from '../libs/domain/src';
import { ApiApp, startApiApp } from './support/api-app';
import { freePort, launchChromium, PAGE_PROBLEMS, SCREENSHOT_DIR, seedDemoDay, VIEWPORTS } from './support/browser';
import { AppProcess, startApp, waitFor } from './support/processes';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';

const SECRET = 'browser-secret-browser-secret-0042';

type Viewport = keyof typeof VIEWPORTS;
/** Each run in a browser of another zone, so the form's guess is seen to come from the browser. */
const ZONES: Record<Viewport, string> = { desktop: 'Asia/Tokyo', phone: 'America/New_York' };

/**
 * The web pages in a real browser (Debian's Chromium through playwright-core), at a desktop and a phone width:
 * subscribe through the form, confirm with the link of the email the notifier sent (a notifier process and a
 * real SMTP server), change preferences on the manage page, unsubscribe. Screenshots of the home, subscribe
 * (with its preview) and digest pages go to test-output/screenshots/.
 */
describe('web pages in a browser (end to end)', () => {
  let smtp: SmtpSink;
  let notifier: AppProcess | undefined;
  let api: ApiApp;
  let sql: Client;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    [smtp, browser] = await Promise.all([startSmtpSink(), launchChromium()]);
    // The api in this process, on a port of its own that PUBLIC_URL names.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = await startApiApp(
      'browser',
      { APP_SECRET: SECRET, PUBLIC_URL: base, ALLOW_PRIVATE_TARGETS: 'true', SMTP_URL: smtp.url },
      { port },
    );
    sql = api.sql;
    // The notifier sends the confirmation emails: its own process, as in production.
    notifier = startApp('notifier', { ...api.env, NODE_ENV: 'test' });
    await seedDemoDay(sql, new Date());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await notifier?.stop();
    await api?.close();
    await smtp?.close();
  });

  /** The whole page, or its first screen for the long home page. */
  const screenshot = (page: Page, viewport: Viewport, name: string, fullPage = true): Promise<Buffer> =>
    page.screenshot({ path: join(SCREENSHOT_DIR, `${viewport}-${name}.png`), fullPage });

  /** Labels, landmarks and width, checked in the page. */
  const checkPage = async (page: Page): Promise<void> => {
    const problems = await page.evaluate<string[]>(PAGE_PROBLEMS);
    expect({ url: page.url(), problems }).toEqual({ url: page.url(), problems: [] });
  };

  const confirmationLink = (address: string): Promise<string> =>
    waitFor(
      `the confirmation email to ${address}`,
      () => {
        const mail = smtp.mails.find((m) => m.to.includes(address) && /confirm/i.test(m.parsed.subject ?? ''));
        return Promise.resolve(
          /(http:\/\/\S+\/subscriptions\/confirm\?token=[^\s"<>]+)/.exec(mail?.parsed.text ?? '')?.[1],
        );
      },
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- notifier\n${notifier?.output() ?? ''}`);
    });

  /** A digest of the demo day's most upvoted papers on these topics, recorded as the notifier would have sent it. */
  const recordDigest = async (subscriptionId: string, topics: string[]): Promise<{ id: string; papers: number }> => {
    const papers = await sql.query<{ id: string }>(
      `SELECT p.id FROM papers p
       WHERE EXISTS (SELECT 1 FROM paper_topics t WHERE t."paperId" = p.id AND t.topic = ANY($1))
       ORDER BY p.upvotes DESC, p.id LIMIT 8`,
      [topics],
    );
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount", "omittedCount", "builtAt")
       VALUES ($1, to_char(now(), 'IYYY-"W"IW'), now(), 'sent', $2, 3, now()) RETURNING id`,
      [subscriptionId, papers.rows.length],
    );
    for (const [index, paper] of papers.rows.entries()) {
      await sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $2, $3, $4)`,
        [rows[0].id, paper.id, subscriptionId, index + 1],
      );
    }
    return { id: rows[0].id, papers: papers.rows.length };
  };

  const journey = async (viewport: Viewport): Promise<void> => {
    const context: BrowserContext = await browser.newContext({
      viewport: VIEWPORTS[viewport],
      timezoneId: ZONES[viewport],
      isMobile: viewport === 'phone',
      hasTouch: viewport === 'phone',
    });
    const page = await context.newPage();
    const email = `${viewport}-${Date.now()}@example.org`;
    try {
      // Home: today's papers, most upvoted first, 30 a page, abstract on demand.
      await page.goto(`${base}/`);
      await expect(page.locator('h1').textContent()).resolves.toMatch(/^Papers of /);
      expect(await page.locator('ol.papers > li').count()).toBe(30);
      const first = page.locator('ol.papers > li').first();
      await first.locator('summary').click();
      expect(await first.locator('details p').isVisible()).toBe(true);
      await checkPage(page);
      await screenshot(page, viewport, 'home', false);
      await page.getByRole('link', { name: 'Fewer upvotes →' }).click();
      await expect(page.locator('.pager .muted').textContent()).resolves.toBe('Page 2 of 4');
      expect(await page.locator('ol.papers > li').count()).toBe(30);

      // An unknown address: a page of the site, not JSON.
      const missing = await page.goto(`${base}/no-such-page`);
      expect(missing?.status()).toBe(404);
      await expect(page.locator('h1').textContent()).resolves.toBe('Not found');
      await checkPage(page);

      // Subscribe: the zone is the browser's, and stays editable; the preview shows today's papers.
      await page.goto(`${base}/subscribe`);
      const zone = page.getByLabel('Time zone');
      await expect(zone.inputValue()).resolves.toBe(ZONES[viewport]);
      await expect(page.locator('#timezone-guess').textContent()).resolves.toContain(ZONES[viewport]);
      await checkPage(page);
      await screenshot(page, viewport, 'subscribe');
      await page.getByLabel('Email').fill(email);
      // Topic names label two checkbox groups: the topics wanted, and (folded) the topics left out.
      const topics = page.locator('#topics');
      await topics.getByLabel('Large Language Models').check();
      await topics.getByLabel('Reasoning').check();
      await zone.fill('Europe/Paris');
      await page.getByLabel('Send hour').selectOption('7');
      await page.getByRole('button', { name: "Preview today's digest" }).click();
      await expect(page.locator('#preview-heading').textContent()).resolves.toMatch(
        /^Today's digest would have held \d+ papers?$/,
      );
      expect(await page.locator('#preview ol.papers > li').count()).toBeGreaterThan(0);
      await expect(page.getByLabel('Email').inputValue()).resolves.toBe(email);
      await expect(zone.inputValue()).resolves.toBe('Europe/Paris');
      await checkPage(page);
      await screenshot(page, viewport, 'subscribe-preview');
      // The button under the preview submits the form above it.
      await page.getByRole('button', { name: 'Subscribe with these preferences' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Check your inbox');

      const { rows } = await sql.query<{
        id: string;
        status: string;
        topics: string[];
        timezone: string;
        sendHour: number;
      }>(`SELECT id, status, topics, timezone, "sendHour" FROM subscriptions WHERE email = $1`, [email]);
      expect(rows).toEqual([
        {
          id: expect.any(String),
          status: 'pending',
          topics: ['llm', 'reasoning'],
          timezone: 'Europe/Paris',
          sendHour: 7,
        },
      ]);
      const id = rows[0].id;

      // The link in the email the notifier sent confirms, and leads to the manage page.
      await page.goto(await confirmationLink(email));
      await expect(page.locator('h1').textContent()).resolves.toBe('Subscription confirmed');
      await checkPage(page);
      await page.getByRole('link', { name: 'Manage your preferences' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Your digest');
      await page.locator('#topics').getByLabel('Robotics').check();
      await page.locator('#topics').getByLabel('Large Language Models').uncheck();
      await page.getByText('Leave out topics').click();
      await page.locator('#excludeTopics').getByLabel('Safety').check();
      // The weekday shows only for weekly digests.
      expect(await page.getByLabel('Weekday of weekly digests').isVisible()).toBe(false);
      await page.getByLabel('Frequency').selectOption('weekly');
      expect(await page.getByLabel('Weekday of weekly digests').isVisible()).toBe(true);
      await page.getByLabel('Weekday of weekly digests').selectOption('5');
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await expect(page.locator('.notice').textContent()).resolves.toContain('Saved.');
      await checkPage(page);
      expect(
        (
          await sql.query(
            'SELECT status, topics, "excludeTopics", frequency, weekday FROM subscriptions WHERE id = $1',
            [id],
          )
        ).rows[0],
      ).toEqual({
        status: 'active',
        topics: ['reasoning', 'robotics'],
        excludeTopics: ['safety'],
        frequency: 'weekly',
        weekday: 5,
      });

      // Seed papers through the manage page's multipart form, then "My profile" lists them.
      const seed = (
        await sql.query<{ arxivId: string; title: string }>(
          'SELECT "arxivId", title FROM papers WHERE "arxivId" IS NOT NULL ORDER BY length(title) DESC, id LIMIT 1',
        )
      ).rows[0];
      await page.getByRole('textbox', { name: 'Papers you like' }).fill(`https://arxiv.org/abs/${seed.arxivId}`);
      await page.getByRole('button', { name: 'Add seed papers' }).click();
      await expect(page.locator('.notice').textContent()).resolves.toContain('1 seed paper added.');
      await checkPage(page);
      await screenshot(page, viewport, 'manage');
      await page.getByRole('link', { name: 'My profile' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('My profile');
      await expect(page.locator('#liked-heading + ul').textContent()).resolves.toContain(seed.title);
      await checkPage(page);
      await screenshot(page, viewport, 'profile');
      await page.getByRole('button', { name: 'Reset my profile' }).click();
      await page.getByRole('button', { name: 'Yes, reset my profile' }).click();
      await expect(page.locator('.notice').textContent()).resolves.toContain('Your profile was reset');
      expect(
        (await sql.query('SELECT count(*)::int AS n FROM paper_votes WHERE "subscriptionId" = $1', [id])).rows[0].n,
      ).toBe(0);

      // A digest as its email's "view in browser" link shows it.
      const digest = await recordDigest(id, ['reasoning', 'robotics']);
      await page.goto(
        `${base}/digests/${digest.id}?token=${encodeURIComponent(signToken(SECRET, 'digest', digest.id, new Date()))}`,
      );
      expect(digest.papers).toBeGreaterThan(2);
      expect(await page.locator('ol.papers > li').count()).toBe(digest.papers);
      await expect(page.locator('main').textContent()).resolves.toContain('Why: Reasoning');
      await expect(page.locator('main').textContent()).resolves.toContain('And 3 more matching papers');
      // As much as the email: tags, arXiv and PDF links, and each title leads to the paper's page.
      const firstPaper = page.locator('ol.papers > li').first();
      expect(await firstPaper.locator('.chips a').count()).toBeGreaterThan(0);
      expect(await firstPaper.getByRole('link', { name: 'PDF' }).getAttribute('href')).toMatch(/^https:\/\/arxiv\.org\/pdf\//);
      // With the digest's context, so the paper's page offers its vote form and the way back.
      expect(await firstPaper.locator('h2 a').getAttribute('href')).toMatch(
        new RegExp(`^/papers/[0-9a-f-]{36}\\?digest=${digest.id}&token=`),
      );
      await checkPage(page);
      await screenshot(page, viewport, 'digest');

      // Unsubscribe: the page's button, then done at once.
      await page.getByRole('link', { name: 'Unsubscribe' }).click();
      await page.getByRole('button', { name: 'Unsubscribe', exact: true }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('You are unsubscribed');
      expect((await sql.query('SELECT status FROM subscriptions WHERE id = $1', [id])).rows[0].status).toBe(
        'unsubscribed',
      );
    } finally {
      await context.close();
    }
  };

  it('should subscribe, confirm from the email, manage and unsubscribe at a desktop width', async () => {
    await journey('desktop');
  }, 60_000);

  it('should subscribe, confirm from the email, manage and unsubscribe at a phone width', async () => {
    await journey('phone');
  }, 60_000);
});
