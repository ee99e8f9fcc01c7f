import { cleanText, parseArxivId, ParsedListing, safeHttpUrl } from '@libs/domain';
import type { ParseResult } from '../shared/parse-result';

export type { ParseResult } from '../shared/parse-result';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
const date = (value: unknown): Date | null => {
  if (typeof value !== 'string') {
    return null;
  }
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
};

/**
 * Parses one page of `GET /api/daily_papers` (see test/fixtures/hf). Upvotes and AI fields live on
 * `paper`, the comment count and the Daily Papers submission time on the outer entry. A malformed
 * entry is skipped with a reason; a body that is not an array of entries is an error.
 */
export function parseHfDailyPapers(body: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch (error) {
    const start = body.trimStart().slice(0, 40).replace(/\s+/g, ' ');
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new Error(`Hugging Face answer is not JSON (${reason}); it starts with "${start}"`, { cause: error });
  }
  if (!Array.isArray(json)) {
    throw new Error(
      `Hugging Face answer is not an array of papers (got ${isObject(json) ? 'an object' : typeof json})`,
    );
  }
  const listings: ParsedListing[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  json.forEach((entry: unknown, index) => {
    const result = parseEntry(entry);
    if (typeof result === 'string') {
      problems.push(`entry ${index}: ${result}`);
    } else if (seen.has(result.externalId)) {
      problems.push(`entry ${index}: paper ${result.externalId} listed twice; kept the first`);
    } else {
      seen.add(result.externalId);
      listings.push(result);
    }
  });
  return { listings, problems };
}

function parseEntry(entry: unknown): ParsedListing | string {
  if (!isObject(entry) || !isObject(entry.paper)) {
    return 'no "paper" object';
  }
  const paper = entry.paper;
  const rawId = text(paper.id);
  if (!rawId) {
    return 'paper has no id';
  }
  const arxiv = parseArxivId(rawId);
  const title = text(entry.title) ?? text(paper.title);
  if (!title) {
    return `paper ${rawId} has no title`;
  }
  // Only the Daily Papers date will do: the arXiv date is days earlier and would file the paper
  // under a period whose digest may already be sent.
  const listedAt = date(entry.publishedAt) ?? date(paper.submittedOnDailyAt);
  if (!listedAt) {
    return `paper ${rawId} has no valid publishedAt date`;
  }
  const authors = Array.isArray(paper.authors)
    ? paper.authors
        .filter((author): author is Json => isObject(author) && author.hidden !== true)
        .map((author) => text(author.name))
        .filter((name): name is string => name !== null)
        .map(cleanText)
    : [];
  const keywords = Array.isArray(paper.ai_keywords)
    ? paper.ai_keywords.filter((k): k is string => typeof k === 'string' && k.trim() !== '').map(cleanText)
    : [];
  return {
    externalId: arxiv?.id ?? rawId,
    arxivId: arxiv?.id ?? null,
    arxivVersion: arxiv?.version ?? null,
    doi: null,
    announceType: null,
    title: cleanText(title),
    abstract: cleanText(text(paper.summary) ?? text(entry.summary) ?? ''),
    authors,
    listedAt,
    publishedAt: date(paper.publishedAt),
    upvotes: count(paper.upvotes),
    comments: count(entry.numComments),
    keywords,
    categories: [],
    summary: text(paper.ai_summary) ? cleanText(paper.ai_summary as string) : null,
    url: arxiv ? `https://huggingface.co/papers/${arxiv.id}` : null,
    codeUrl: safeHttpUrl(text(paper.githubRepo)),
    projectUrl: safeHttpUrl(text(paper.projectPage)),
  };
}
