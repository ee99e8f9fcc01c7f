import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { paperVoteLinks, signToken } from '../libs/domain/src';
import { ApiApp, insertPapers, startApiApp } from './support/api-app';
import { freePort, launchChromium, PAGE_PROBLEMS, SCREENSHOT_DIR, VIEWPORTS } from './support/browser';

const SECRET = 'votes-browser-secret-votes-browser-01';

/**
 * Votes in a real browser (Debian's Chromium) at a phone's width, under the site's Content-Security-Policy: the
 * digest's web view records a vote without a page reload where JavaScript runs, and with a plain form POST where
 * it does not; a vote link's page fits the phone.
 */
describe('votes in a browser (end to end)', () => {
  let api: ApiApp;
  let browser: Browser;
  let base: string;
  let subscriptionId: string;
  let digestId: string;
  let paperIds: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = await startApiApp('votes-browser', { APP_SECRET: SECRET, PUBLIC_URL: base }, { port });
    paperIds = await insertPapers(
      api.sql,
      ['Speculative decoding with a tiny draft model', 'Diffusion distillation in four steps', 'KV cache eviction'].map(
        (title, index) => ({
          arxivId: `2411.0800${index}`,
          title,
          abstract: `An abstract about ${title.toLowerCase()}, long enough to wrap on a phone's narrow screen.`,
          authors: ['Ada Lovelace', 'Alan Turing'],
          listedAt: '2026-11-27T08:00:00Z',
          upvotes: 40 - index,
        }),
      ),
    );
    const subscription = await api.sql.query<{ id: string }>(
      `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
       VALUES ('phone-reader@example.org', 'active', '{llm}', 'daily', 'UTC', 8, now()) RETURNING id`,
    );
    subscriptionId = subscription.rows[0].id;
    const digest = await api.sql.query<{ id: string }>(
      `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount", "builtAt")
       VALUES ($1, '2026-11-28', '2026-11-28T08:00:00Z', 'sent', 3, '2026-11-28T08:00:00Z') RETURNING id`,
      [subscriptionId],
    );
    digestId = digest.rows[0].id;
    for (const [index, paperId] of paperIds.entries()) {
      await api.sql.query(
        `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $2, $3, $4)`,
        [digestId, paperId, subscriptionId, index + 1],
      );
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  beforeEach(async () => {
    await api.sql.query(`DELETE FROM paper_votes`);
  });

  const viewUrl = (): string =>
    `${base}/digests/${digestId}?token=${encodeURIComponent(signToken(SECRET, 'digest', digestId, api.now()))}`;
  const votes = async (): Promise<{ paperId: string; vote: string; source: string }[]> =>
    (await api.sql.query(`SELECT "paperId", vote, source FROM paper_votes ORDER BY "paperId"`)).rows as {
      paperId: string;
      vote: string;
      source: string;
    }[];
  const phone = (javaScriptEnabled: boolean) =>
    browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true, javaScriptEnabled });
  /** A form field without a label, a missing landmark, a page wider than the phone; and no CSP refusal. */
  const checkPage = async (page: Page, refused: string[]): Promise<void> => {
    const problems = await page.evaluate<string[]>(PAGE_PROBLEMS);
    expect({ url: page.url(), problems, refused }).toEqual({ url: page.url(), problems: [], refused: [] });
  };
  const cspRefusals = (page: Page): string[] => {
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) {
        refused.push(message.text());
      }
    });
    return refused;
  };

  it('should record a vote without reloading the page where JavaScript runs, and take it back on a second press', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const refused = cspRefusals(page);
    try {
      await page.goto(viewUrl());
      // Survives only if the page is not reloaded.
      await page.evaluate('window.stillHere = true');
      const first = page.locator('ol.papers > li').first();
      const useful = first.getByRole('button', { name: '👍 Useful' });
      await useful.click();
      await first.locator('.vote-status', { hasText: 'Saved: useful to you.' }).waitFor();
      expect(await useful.getAttribute('aria-pressed')).toBe('true');
      expect(await page.evaluate('window.stillHere')).toBe(true);
      expect(await votes()).toEqual([{ paperId: paperIds[0], vote: 'up', source: 'digest' }]);

      await useful.click();
      await first.locator('.vote-status', { hasText: 'Vote taken back.' }).waitFor();
      expect(await useful.getAttribute('aria-pressed')).toBe('false');
      expect(await votes()).toEqual([]);
      expect(await page.evaluate('window.stillHere')).toBe(true);
      await checkPage(page, refused);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'phone-digest-votes.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('should say so, and show no vote pressed, when the links were revoked since the page was opened', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    try {
      await page.goto(viewUrl());
      await api.sql.query(`UPDATE subscriptions SET "linkVersion" = 1 WHERE id = $1`, [subscriptionId]);
      const first = page.locator('ol.papers > li').first();
      const useful = first.getByRole('button', { name: '👍 Useful' });
      await useful.click();
      await first.locator('.vote-status', { hasText: 'This vote link is no longer valid' }).waitFor();
      expect(await useful.getAttribute('aria-pressed')).toBe('false');
      expect(await first.getAttribute('aria-busy')).toBeNull();
      expect(await votes()).toEqual([]);
    } finally {
      await api.sql.query(`UPDATE subscriptions SET "linkVersion" = 0 WHERE id = $1`, [subscriptionId]);
      await context.close();
    }
  });

  it('should record a vote with a plain form POST where JavaScript is off, and lead back to the digest', async () => {
    const context = await phone(false);
    const page = await context.newPage();
    try {
      await page.goto(viewUrl());
      const second = page.locator('ol.papers > li').nth(1);
      await Promise.all([
        page.waitForURL(`${base}/vote`),
        second.getByRole('button', { name: '👎 Not for me' }).click(),
      ]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Thank you');
      expect(await votes()).toEqual([{ paperId: paperIds[1], vote: 'down', source: 'digest' }]);
      await checkPage(page, []);

      await page.getByRole('link', { name: 'Back to your digest' }).click();
      const pressed = page.locator('ol.papers > li').nth(1).getByRole('button', { name: '👎 Not for me' });
      expect(await pressed.getAttribute('aria-pressed')).toBe('true');
    } finally {
      await context.close();
    }
  });

  it("should show a vote link's one-button page at a phone's width, and record only when it is pressed", async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const refused = cspRefusals(page);
    try {
      const links = paperVoteLinks(
        base,
        SECRET,
        { id: subscriptionId, linkVersion: 0 },
        paperIds[2],
        'explore',
        api.now(),
      );
      await page.goto(links.up);
      await expect(page.locator('h1').textContent()).resolves.toBe('Is this paper useful to you?');
      expect(await page.locator('form button').count()).toBe(1);
      await checkPage(page, refused);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'phone-vote-page.png'), fullPage: true });
      expect(await votes()).toEqual([]);

      await page.getByRole('button', { name: '👍 Yes, useful to me' }).click();
      await expect(page.locator('[role=status]').first().textContent()).resolves.toBe('Saved: 👍 useful to you.');
      expect(await votes()).toEqual([{ paperId: paperIds[2], vote: 'up', source: 'explore' }]);
      await checkPage(page, refused);
    } finally {
      await context.close();
    }
  });
});
