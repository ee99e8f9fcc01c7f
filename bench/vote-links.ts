import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DigestEmailBodies } from '../apps/notifier/src/channels/digest-email-bodies';
import { PaperViews } from '../apps/notifier/src/paper-views';
import {
  buildDigestView,
  classifyTopics,
  digestLinks,
  type DigestPaperSource,
  paperVoteLinks,
} from '../libs/domain/src';
import { argument, runBench } from './bench-support';
import { DEMO_FIXTURE } from '../test/support/stand-ins';

/**
 * What each paper's 👍 / 👎 links cost a digest email (issue 14): composing the notifier's email bodies (view,
 * rendering from cached frames, quoted-printable) of a 14-paper digest for N subscribers, with the vote links
 * (two signed tokens a paper) against the same emails without them, in the same run, alternating rounds. Prints
 * the time and size per email and their ratios.
 *
 *   node -r @swc-node/register bench/vote-links.ts [--emails 20000]
 */
const PUBLIC_URL = 'https://papers.example.org';
const SECRET = 'bench-secret-bench-secret-bench-secret';

async function main(): Promise<void> {
  const emails = Number(argument('--emails') ?? 20_000);
  const entries = JSON.parse(readFileSync(DEMO_FIXTURE, 'utf8')) as {
    paper: { id: string; title: string; summary: string; upvotes: number; authors: { name: string }[] };
  }[];
  const papers: DigestPaperSource[] = entries.slice(0, 14).map(({ paper }) => ({
    id: randomUUID(),
    title: paper.title,
    url: `https://huggingface.co/papers/${paper.id}`,
    arxivId: paper.id,
    authors: paper.authors.map((author) => author.name),
    upvotes: paper.upvotes,
    abstract: paper.summary,
    summary: null,
    codeUrl: null,
    topics: classifyTopics({ title: paper.title, abstract: paper.summary }).map((tag) => ({
      topic: tag.topic,
      evidence: tag.evidence,
    })),
  }));
  const views = new PaperViews();
  // One composer per variant, as a fan-out keeps one: the papers' frames are rendered and encoded once.
  const composers = { without: new DigestEmailBodies(), with: new DigestEmailBodies() };
  const compose = (votes: boolean): number => {
    const subscriber = { id: randomUUID(), linkVersion: 0 };
    const now = new Date();
    const view = buildDigestView(
      {
        digest: { periodKey: '2026-11-28', omittedCount: 3 },
        subscription: { topics: ['llm', 'agents'], keywords: [], frequency: 'daily' },
        papers,
        links: digestLinks(PUBLIC_URL, SECRET, subscriber, randomUUID(), now),
        ...(votes
          ? { voteLinks: (paperId, source) => paperVoteLinks(PUBLIC_URL, SECRET, subscriber, paperId, source, now) }
          : {}),
      },
      views.viewOf,
    );
    const body = (votes ? composers.with : composers.without).bodyOf(view);
    return [...body.html.quotedPrintable, ...body.text.quotedPrintable].reduce((sum, chunk) => sum + chunk.length, 0);
  };
  const round = (votes: boolean, count: number): { ms: number; bytes: number } => {
    let bytes = 0;
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      bytes += compose(votes);
    }
    return { ms: (performance.now() - started) / count, bytes: bytes / count };
  };
  // Warm both paths, then alternate rounds so that a busy machine weighs on both alike.
  round(false, 1000);
  round(true, 1000);
  const rounds = 4;
  const totals = { without: { ms: 0, bytes: 0 }, with: { ms: 0, bytes: 0 } };
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, votes] of [
      ['without', false],
      ['with', true],
    ] as const) {
      const { ms, bytes } = round(votes, Math.ceil(emails / rounds));
      totals[name].ms += ms / rounds;
      totals[name].bytes += bytes / rounds;
    }
  }
  console.log(`Composing ${emails} digest emails of 14 papers (HTML and text, quoted-printable):
  without vote links (baseline): ${totals.without.ms.toFixed(3)} ms and ${(totals.without.bytes / 1024).toFixed(1)} kB an email
  with 👍 / 👎 links on every paper: ${totals.with.ms.toFixed(3)} ms and ${(totals.with.bytes / 1024).toFixed(1)} kB an email
  ratio: ${(totals.with.ms / totals.without.ms).toFixed(2)}× the time (+${(totals.with.ms - totals.without.ms).toFixed(3)} ms), ${(totals.with.bytes / totals.without.bytes).toFixed(2)}× the bytes`);
}

runBench(main);
