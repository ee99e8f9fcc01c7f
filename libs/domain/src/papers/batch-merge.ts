import { PaperIdentifiers } from './identifiers';
import { pickTitleMatch } from './paper-match';
import { mergePaperMetadata, newPaperMetadata, PaperMetadata } from './paper-merge';
import { isMatchableTitleKey, titleKey } from './title-key';

/** A paper as the merge needs it: identifiers, title key, metadata and when it became ready. */
export interface PaperRecord extends PaperMetadata {
  id: string;
  arxivId: string | null;
  doi: string | null;
  titleKey: string | null;
  readyAt: Date | null;
}

/** A listing on its way into a paper: normalised identifiers, its title key and its metadata as listed. */
export interface ListingMerge {
  listingId: string;
  identifiers: PaperIdentifiers;
  /** titleKey(metadata.title). */
  titleKey: string | null;
  metadata: PaperMetadata;
  /** An arXiv replacement (announce type replace or replace-cross): a new version, never a new paper. */
  replacement: boolean;
}

export type MatchedBy = 'new' | 'arxivId' | 'doi' | 'title';

/** What a batch of listings does to the papers; the repository writes it in a few statements. */
export interface BatchMergePlan {
  /** Papers made by this batch (ids from `newId`). */
  inserted: PaperRecord[];
  /** Known papers whose record changed. */
  updated: PaperRecord[];
  /** Records of one paper known only by a DOI, folded into the paper with the arXiv id (delete them first). */
  absorbed: { duplicateId: string; intoId: string }[];
  /** Every listing's paper and how it was found. */
  links: { listingId: string; paperId: string; matchedBy: MatchedBy }[];
  /** Papers whose title, abstract, categories or keywords are new or changed: their topics need computing. */
  retag: PaperRecord[];
}

/** The listings of a batch share a paper only if this many candidates are read for a title key. */
export const MAX_TITLE_CANDIDATES = 20;

interface Target {
  paper: PaperRecord | null;
  matchedBy: Exclude<MatchedBy, 'new'>;
  /** A record of the same paper known only by the listing's DOI, to fold into the target. */
  duplicate: PaperRecord | null;
  /** The listing's DOI belongs to a paper with another arXiv id, so this paper cannot claim it. */
  doiTaken: boolean;
}

/**
 * Folds a batch of listings into papers, in memory, one listing after the other as if each were merged on its
 * own: `known` are the papers the batch's arXiv ids, DOIs and title keys can reach (read and locked by the
 * caller). The paper is the one with the listing's arXiv id, else its DOI, else the one paper whose title key
 * and authors clearly match; otherwise a new one. Listings of one paper within the batch merge with each other
 * first, so the database sees one write per paper.
 */
export function planBatchMerge(
  known: readonly PaperRecord[],
  listings: readonly ListingMerge[],
  now: Date,
  newId: () => string,
): BatchMergePlan {
  const index = new PaperIndex(known);
  const original = new Map(known.map((paper) => [paper.id, paper]));
  const inserted = new Set<string>();
  const absorbed: BatchMergePlan['absorbed'] = [];
  const links: BatchMergePlan['links'] = [];

  for (const listing of inMergeOrder(listings)) {
    const found = findTarget(index, listing);
    if (found.paper) {
      const target = found.paper;
      let metadata: PaperMetadata = target;
      let doi = target.doi;
      let readyAt = target.readyAt ?? now;
      const { duplicate } = found;
      if (duplicate) {
        metadata = mergePaperMetadata(metadata, duplicate);
        doi = doi ?? duplicate.doi;
        readyAt = duplicate.readyAt && duplicate.readyAt < readyAt ? duplicate.readyAt : readyAt;
        index.remove(duplicate);
        // Always a known record: the batch's DOI-only listings come after those with an arXiv id.
        absorbed.push({ duplicateId: duplicate.id, intoId: target.id });
      }
      metadata = mergePaperMetadata(metadata, listing.metadata);
      index.replace(target, {
        ...target,
        ...metadata,
        arxivId: target.arxivId ?? listing.identifiers.arxivId,
        doi: doi ?? (found.doiTaken ? null : listing.identifiers.doi),
        titleKey: titleKey(metadata.title),
        readyAt,
      });
      links.push({ listingId: listing.listingId, paperId: target.id, matchedBy: found.matchedBy });
    } else {
      const paper = newPaper(listing, found.doiTaken, now, newId());
      index.add(paper);
      inserted.add(paper.id);
      links.push({ listingId: listing.listingId, paperId: paper.id, matchedBy: 'new' });
    }
  }

  const plan: BatchMergePlan = { inserted: [], updated: [], absorbed, links, retag: [] };
  for (const paper of index.all()) {
    const before = original.get(paper.id);
    if (inserted.has(paper.id)) {
      plan.inserted.push(paper);
      plan.retag.push(paper);
    } else if (before && !sameRecord(before, paper)) {
      plan.updated.push(paper);
      // Same text, categories and keywords: same topics, so a second source's listing costs no re-tagging.
      if (!sameTopicInput(before, paper)) {
        plan.retag.push(paper);
      }
    }
  }
  return plan;
}

/**
 * The order that makes a batch's outcome independent of the order it came in (by listing id, which is
 * random): listings with an arXiv id first, then those with only a DOI, then those with neither, each group
 * by identifier. A listing matched by title then sees every paper the better-identified listings of the
 * batch make, so an unclear match stays unclear, and two DOIs that could claim one arXiv paper by title
 * always settle the same way.
 */
function inMergeOrder(listings: readonly ListingMerge[]): ListingMerge[] {
  const rank = ({ identifiers }: ListingMerge): number =>
    identifiers.arxivId !== null ? 0 : identifiers.doi !== null ? 1 : 2;
  const key = ({ identifiers, titleKey: title, listingId }: ListingMerge): string =>
    `${identifiers.arxivId ?? identifiers.doi ?? title ?? ''}\u0000${listingId}`;
  return listings
    .map((listing) => ({ listing, rank: rank(listing), key: key(listing) }))
    .sort((a, b) => a.rank - b.rank || compare(a.key, b.key))
    .map(({ listing }) => listing);
}

/** The batch's papers by arXiv id, DOI and title key, kept current as listings change them. */
class PaperIndex {
  private readonly byId = new Map<string, PaperRecord>();
  private readonly byArxiv = new Map<string, PaperRecord>();
  private readonly byDoi = new Map<string, PaperRecord>();
  private readonly byTitle = new Map<string, PaperRecord[]>();

  constructor(papers: readonly PaperRecord[]) {
    for (const paper of [...papers].sort((a, b) => compare(a.id, b.id))) {
      this.add(paper);
    }
  }

  all(): PaperRecord[] {
    return [...this.byId.values()];
  }

  arxiv(id: string | null): PaperRecord | null {
    return id === null ? null : (this.byArxiv.get(id) ?? null);
  }

  doi(doi: string | null): PaperRecord | null {
    return doi === null ? null : (this.byDoi.get(doi) ?? null);
  }

  title(key: string): PaperRecord[] {
    return this.byTitle.get(key) ?? [];
  }

  add(paper: PaperRecord): void {
    this.byId.set(paper.id, paper);
    if (paper.arxivId !== null) {
      this.byArxiv.set(paper.arxivId, paper);
    }
    if (paper.doi !== null) {
      this.byDoi.set(paper.doi, paper);
    }
    if (paper.titleKey !== null) {
      this.byTitle.set(paper.titleKey, [...this.title(paper.titleKey), paper]);
    }
  }

  remove(paper: PaperRecord): void {
    this.byId.delete(paper.id);
    if (paper.arxivId !== null && this.byArxiv.get(paper.arxivId) === paper) {
      this.byArxiv.delete(paper.arxivId);
    }
    if (paper.doi !== null && this.byDoi.get(paper.doi) === paper) {
      this.byDoi.delete(paper.doi);
    }
    if (paper.titleKey !== null) {
      this.byTitle.set(
        paper.titleKey,
        this.title(paper.titleKey).filter((candidate) => candidate !== paper),
      );
    }
  }

  replace(old: PaperRecord, next: PaperRecord): void {
    this.remove(old);
    this.add(next);
  }
}

/** The paper a listing belongs to among the batch's papers, in the order of the rules (see planBatchMerge). */
function findTarget(index: PaperIndex, listing: ListingMerge): Target {
  const { arxivId, doi } = listing.identifiers;
  const byArxiv = index.arxiv(arxivId);
  const byDoi = index.doi(doi);
  if (byArxiv) {
    // The arXiv paper and a record known only by this DOI are one paper: the listing carries both identifiers.
    const duplicate = byDoi && byDoi.id !== byArxiv.id && byDoi.arxivId === null ? byDoi : null;
    return {
      paper: byArxiv,
      matchedBy: 'arxivId',
      duplicate,
      doiTaken: byDoi !== null && byDoi.id !== byArxiv.id && !duplicate,
    };
  }
  if (byDoi && (byDoi.arxivId === null || arxivId === null)) {
    return { paper: byDoi, matchedBy: 'doi', duplicate: null, doiTaken: false };
  }
  const doiTaken = byDoi !== null;
  if (isMatchableTitleKey(listing.titleKey)) {
    const identifiers = doiTaken ? { ...listing.identifiers, doi: null } : listing.identifiers;
    // Papers with another arXiv id or DOI are never candidates, so the limit only counts plausible ones.
    const candidates = index
      .title(listing.titleKey)
      .filter(
        (paper) =>
          (identifiers.arxivId === null || paper.arxivId === null || paper.arxivId === identifiers.arxivId) &&
          (identifiers.doi === null || paper.doi === null || paper.doi === identifiers.doi),
      )
      .slice(0, MAX_TITLE_CANDIDATES);
    const match = pickTitleMatch(candidates, { identifiers, authors: listing.metadata.authors });
    if (match) {
      return { paper: match, matchedBy: 'title', duplicate: null, doiTaken };
    }
  }
  return { paper: null, matchedBy: 'title', duplicate: null, doiTaken };
}

function newPaper(listing: ListingMerge, doiTaken: boolean, now: Date, id: string): PaperRecord {
  const metadata = newPaperMetadata(listing.metadata);
  const { publishedAt } = metadata;
  if (listing.replacement && publishedAt && publishedAt < metadata.listedAt) {
    // A revision of a paper we never saw is not news: it was first listed when it was first published, so it
    // does not surface in digests as a new paper.
    metadata.listedAt = publishedAt;
  }
  return {
    ...metadata,
    id,
    arxivId: listing.identifiers.arxivId,
    doi: doiTaken ? null : listing.identifiers.doi,
    // Tidying seldom changes a title: the listing's key is then the paper's.
    titleKey: metadata.title === listing.metadata.title ? listing.titleKey : titleKey(metadata.title),
    readyAt: now,
  };
}

const RECORD_FIELDS = [
  'arxivId',
  'doi',
  'titleKey',
  'title',
  'abstract',
  'authors',
  'upvotes',
  'keywords',
  'categories',
  'summary',
  'url',
  'codeUrl',
  'projectUrl',
  'version',
  'listedAt',
  'publishedAt',
  'readyAt',
] as const satisfies readonly (keyof PaperRecord)[];
const TOPIC_FIELDS = ['title', 'abstract', 'categories', 'keywords'] as const satisfies readonly (keyof PaperRecord)[];

function sameRecord(a: PaperRecord, b: PaperRecord): boolean {
  return RECORD_FIELDS.every((field) => sameValue(a[field], b[field]));
}

function sameTopicInput(a: PaperRecord, b: PaperRecord): boolean {
  return TOPIC_FIELDS.every((field) => sameValue(a[field], b[field]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) {
    return a.getTime() === b.getTime();
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => item === b[index]);
  }
  return a === b;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
