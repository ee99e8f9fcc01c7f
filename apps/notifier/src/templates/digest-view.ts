import { TOPICS } from '@libs/domain';

/** Everything a digest template needs, already resolved; templates are pure functions of it. */
export interface DigestView {
  periodKey: string;
  frequency: 'daily' | 'weekly';
  papers: DigestPaperView[];
  omittedCount: number;
  unsubscribeUrl: string;
  feedUrl: string;
}

export interface DigestPaperView {
  title: string;
  url: string;
  authors: string[];
  upvotes: number;
  abstract: string;
  summary: string | null;
  codeUrl: string | null;
  /** Topic names with the evidence that matched: "why this paper". */
  reasons: string[];
}

const TOPIC_NAMES = new Map<string, string>(TOPICS.map((topic) => [topic.slug, topic.name]));

export function topicName(slug: string): string {
  return TOPIC_NAMES.get(slug) ?? slug;
}

export function authorLine(authors: string[], max = 6): string {
  if (authors.length <= max) {
    return authors.join(', ');
  }
  return `${authors.slice(0, max).join(', ')} et al.`;
}

export function shorten(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20)).trimEnd()}…`;
}

export function digestHeading(view: DigestView): string {
  const count = view.papers.length;
  const noun = count === 1 ? 'paper' : 'papers';
  return view.frequency === 'weekly'
    ? `${count} new ${noun} for the week ${view.periodKey}`
    : `${count} new ${noun} for ${view.periodKey}`;
}
