import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import {
  buildDigestView,
  DigestPaperSource,
  renderConfirmationEmail,
  renderDigestEmail,
  RenderedEmail,
} from '../libs/domain/src';
import { launchChromium, SCREENSHOT_DIR, VIEWPORTS } from './support/browser';
import { DEMO_FIXTURE } from './support/stand-ins';

type Viewport = keyof typeof VIEWPORTS;

interface DemoEntry {
  paper: { id: string; title: string; summary: string; upvotes: number; authors: { name: string }[] };
}

/** Papers of the demo day, with the ones whose abstracts carry LaTeX (`\model`, `M\'elange`, `70\%`) among them. */
function demoPapers(): DigestPaperSource[] {
  const entries = JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as DemoEntry[];
  const chosen = entries.filter((entry, index) => index < 3 || ['2409.90012', '2409.90045'].includes(entry.paper.id));
  return chosen.map(({ paper }, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    title: paper.title,
    url: `https://huggingface.co/papers/${paper.id}`,
    arxivId: paper.id,
    authors: paper.authors.map((author) => author.name),
    upvotes: paper.upvotes,
    abstract: paper.summary,
    summary: null,
    codeUrl: index === 0 ? 'https://github.com/example/code' : null,
    topics: [
      { topic: 'llm', evidence: ['language model'] },
      { topic: 'image-generation', evidence: [] },
    ],
    listedAt: new Date(`2026-12-0${index < 2 ? 4 : 7}T09:00:00Z`),
  }));
}

/**
 * The emails as a reader sees them: the digest and the confirmation email rendered by headless Chromium at a
 * desktop and a phone width (screenshots in test-output/screenshots/email-*.png). Mail clients render less than
 * a browser, but what breaks here (a page wider than the phone, a button below the fold, raw LaTeX) breaks there.
 */
describe('emails in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const digest = (): RenderedEmail =>
    renderDigestEmail(
      buildDigestView({
        digest: { periodKey: '2026-12-08', omittedCount: 7 },
        subscription: { topics: ['llm'], keywords: [], frequency: 'daily' },
        papers: demoPapers(),
        links: {
          unsubscribeUrl: 'https://paperboy.example.org/unsubscribe?token=u',
          feedUrl: 'https://paperboy.example.org/feeds/subscription.rss?token=f',
          viewUrl: 'https://paperboy.example.org/digests/d?token=v',
          manageUrl: 'https://paperboy.example.org/manage?token=m',
        },
        // Vote links at least as long as real ones (a signed token naming subscription, paper, vote and source).
        voteLinks: (paperId, source) => ({
          up: `https://paperboy.example.org/vote/${'s'.repeat(36)}_${paperId}_up_${source}.${'x'.repeat(50)}`,
          down: `https://paperboy.example.org/vote/${'s'.repeat(36)}_${paperId}_down_${source}.${'x'.repeat(50)}`,
        }),
      }),
    );
  const confirmation = (): RenderedEmail =>
    renderConfirmationEmail('https://paperboy.example.org/subscriptions/confirm?token=c', {
      topics: ['llm', 'audio', 'image-generation'],
      keywords: ['diffusion'],
      excludeTopics: ['robotics'],
      minUpvotes: 0,
      frequency: 'weekly',
      weekday: 1,
      sendHour: 8,
      timezone: 'Europe/Paris',
      maxPapers: 20,
    });

  /** The email in a page of that width, and a screenshot of all of it. */
  const open = async (email: RenderedEmail, viewport: Viewport, name: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: VIEWPORTS[viewport] });
    // No network: an email's HTML is self-contained, and a closed network would only slow the load down.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(email.html, { waitUntil: 'load' });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `email-${viewport}-${name}.png`), fullPage: true });
    return page;
  };

  const widthProblem = (page: Page): Promise<string | null> =>
    page.evaluate<string | null>(
      `document.documentElement.scrollWidth > window.innerWidth ? document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window' : null`,
    );

  for (const viewport of Object.keys(VIEWPORTS) as Viewport[]) {
    it(`should show the digest readably at ${viewport} width: dates in words, LaTeX read, nothing wider than the window`, async () => {
      const page = await open(digest(), viewport, 'digest');
      try {
        expect(await widthProblem(page)).toBeNull();
        const text = await page.innerText('body');
        expect(text).toContain('5 new papers for Tuesday 8 December 2026');
        expect(text).toContain('Papers listed Friday 4 to Monday 7 December 2026');
        expect(text).toContain('Mélange');
        expect(text).not.toMatch(/\\[a-zA-Z%']/);
        expect(text).toContain('And 7 more matching papers');
        // Each paper's vote links, as short labels that fit the window.
        expect(await page.getByRole('link', { name: '👍 Useful' }).count()).toBe(5);
        expect(await page.getByRole('link', { name: '👎 Not for me' }).count()).toBe(5);
      } finally {
        await page.close();
      }
    }, 60_000);

    it(`should show the confirmation email at ${viewport} width with its one button in the first screen`, async () => {
      const page = await open(confirmation(), viewport, 'confirmation');
      try {
        expect(await widthProblem(page)).toBeNull();
        const text = await page.innerText('body');
        expect(text).toContain('Confirm your subscription');
        expect(text).toContain('Large Language Models, Audio & Speech and Image Generation');
        expect(text).toContain('Every Monday at 08:00, Europe/Paris time');
        const button = page.getByRole('link', { name: 'Confirm your subscription' });
        expect(await button.count()).toBe(1);
        const box = await button.boundingBox();
        expect(box).not.toBeNull();
        expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThanOrEqual(VIEWPORTS[viewport].height);
        expect(box?.height ?? 0).toBeGreaterThanOrEqual(40);
        expect(await button.getAttribute('href')).toBe('https://paperboy.example.org/subscriptions/confirm?token=c');
      } finally {
        await page.close();
      }
    }, 60_000);
  }
});
