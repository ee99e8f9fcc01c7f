import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { Browser, chromium } from 'playwright-core';
import { classifyTopics } from '../../libs/domain/src';
import { DEMO_FIXTURE, repositoryRoot } from './stand-ins';

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it when missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots for people to look at; the folder is git-ignored. */
export const SCREENSHOT_DIR = join(repositoryRoot(__dirname), 'test-output/screenshots');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Headless Chromium as the machine allows it: no sandbox (root in a container), and none of the background
 * connections to Google's services, which a closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Run in the page (a string, as this project's TypeScript has no DOM types): what a person would notice at once,
 * a form field without a label, a missing landmark, a page wider than the window.
 */
export const PAGE_PROBLEMS = `(() => {
  const found = [];
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (field.type !== 'hidden' && field.labels.length === 0) found.push('no label for ' + field.outerHTML.slice(0, 80));
  }
  for (const landmark of ['header', 'nav', 'main', 'footer']) {
    if (!document.querySelector(landmark)) found.push('no <' + landmark + '>');
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    found.push(document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');
  }
  return found;
})()`;

interface DemoEntry {
  paper: { id: string; title: string; summary: string; upvotes: number; authors: { name: string }[] };
}

/**
 * The demo day (`test/fixtures/demo/daily-papers.json`, 120 papers) as the classifier would have stored it: ready
 * papers tagged by the topic rules, listed one a minute up to `until`, so "today" on the pages is that day.
 * Returns how many papers it stored.
 */
export async function seedDemoDay(sql: Client, until: Date): Promise<number> {
  const entries = JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as DemoEntry[];
  const { rows } = await sql.query<{ id: string; title: string; abstract: string }>(
    `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, url, "listedAt", "readyAt")
     SELECT v."arxivId", v.title, v.abstract, v.authors::text[], v.upvotes, v.url, v."listedAt", now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::timestamptz[])
       AS v("arxivId", title, abstract, authors, upvotes, url, "listedAt")
     RETURNING id, title, abstract`,
    [
      entries.map((e) => e.paper.id),
      entries.map((e) => e.paper.title),
      entries.map((e) => e.paper.summary),
      // A Postgres array literal per paper: unnest cannot take an array of arrays of different lengths.
      entries.map((e) => `{${e.paper.authors.map((a) => JSON.stringify(a.name)).join(',')}}`),
      entries.map((e) => e.paper.upvotes),
      entries.map((e) => `https://huggingface.co/papers/${e.paper.id}`),
      entries.map((_e, index) => new Date(until.getTime() - (index + 1) * 60_000)),
    ],
  );
  const tags = rows.flatMap((paper) =>
    classifyTopics({ title: paper.title, abstract: paper.abstract }).map((tag) => ({ paperId: paper.id, ...tag })),
  );
  await sql.query(
    `INSERT INTO paper_topics ("paperId", topic, score, evidence)
     SELECT "paperId", topic, score, ARRAY(SELECT json_array_elements_text(evidence)) FROM json_to_recordset($1::json)
       AS t("paperId" uuid, topic text, score real, evidence json)`,
    [JSON.stringify(tags)],
  );
  return rows.length;
}

/** A port nothing listens on right now, for a server whose own URL must be known before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
