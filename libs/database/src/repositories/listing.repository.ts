import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, Repository } from 'typeorm';
import type { ParsedListing } from '@libs/domain';
import { ListingEntity } from '../entities';

/** What a fetch changed among the listings: those new to the source, and known ones whose details changed. */
export interface StoredListings {
  inserted: string[];
  refreshed: string[];
}

/** The details of a listing a source may change after listing it (see ListingRepository.store). */
const REFRESHED_COLUMNS = [
  'arxivVersion',
  'doi',
  'title',
  'abstract',
  'authors',
  'publishedAt',
  'upvotes',
  'comments',
  'keywords',
  'categories',
  'summary',
  'url',
  'codeUrl',
  'projectUrl',
] as const satisfies readonly (keyof ListingEntity)[];
const REFRESH_WHEN_CHANGED =
  `(${REFRESHED_COLUMNS.map((column) => `"listings"."${column}"`).join(', ')}) IS DISTINCT FROM ` +
  `(${REFRESHED_COLUMNS.map((column) => `EXCLUDED."${column}"`).join(', ')})`;

@Injectable()
export class ListingRepository {
  constructor(@InjectRepository(ListingEntity) private readonly listings: Repository<ListingEntity>) {}

  /**
   * Stores what a source listed: a listing it has not listed before is inserted; one it has, whose details
   * changed since (Hugging Face's upvotes, AI keywords and summary grow after the first fetch; the arXiv API
   * gives a new version or a journal DOI), is updated and marked unclassified so the classifier merges it
   * again; an unchanged one is left alone. (source, external id) is unique, so fetching the same page twice
   * changes nothing. Where and when it was first listed, and its identity, never change.
   */
  async store(sourceId: string, fetchRunId: string, parsed: ParsedListing[]): Promise<StoredListings> {
    const stored: StoredListings = { inserted: [], refreshed: [] };
    // One statement cannot insert-or-update a row twice: a repeat (ids equal once NULs are gone) is dropped.
    const seen = new Set<string>();
    const unique = parsed
      .map(withoutNul)
      .filter((listing) => !seen.has(listing.externalId) && seen.add(listing.externalId));
    // Postgres takes at most 65,535 parameters a statement: about 22 a listing, so chunks of 1,000.
    for (let start = 0; start < unique.length; start += 1000) {
      const chunk = unique.slice(start, start + 1000).map((listing) => ({ ...listing, sourceId, fetchRunId }));
      const result = await this.listings
        .createQueryBuilder()
        .insert()
        .into(ListingEntity)
        .values(chunk)
        .orUpdate([...REFRESHED_COLUMNS, 'fetchRunId', 'classifiedAt', 'rejectedReason'], ['sourceId', 'externalId'], {
          overwriteCondition: { where: REFRESH_WHEN_CHANGED },
        })
        // xmax is 0 on a row this statement inserted, the updating transaction's id on one it updated.
        .returning('"id", (xmax = 0) AS "inserted"')
        .execute();
      for (const row of result.raw as { id: string; inserted: boolean }[]) {
        (row.inserted ? stored.inserted : stored.refreshed).push(row.id);
      }
    }
    return stored;
  }

  /** The distinct arXiv ids of these listings (those that have one). */
  async arxivIdsOf(listingIds: string[]): Promise<string[]> {
    if (listingIds.length === 0) {
      return [];
    }
    const rows: { arxivId: string }[] = await this.listings.query(
      `SELECT DISTINCT "arxivId" FROM "listings" WHERE "id" = ANY($1::uuid[]) AND "arxivId" IS NOT NULL ORDER BY 1`,
      [listingIds],
    );
    return rows.map((row) => row.arxivId);
  }

  /** Listings not classified yet and fetched before `fetchedBefore`, by id, so that batches of them repeat. */
  async findUnclassifiedIds(fetchedBefore: Date): Promise<string[]> {
    const rows = await this.listings.find({
      select: { id: true },
      where: { classifiedAt: IsNull(), fetchedAt: LessThan(fetchedBefore) },
      order: { id: 'ASC' },
    });
    return rows.map((row) => row.id);
  }

  countUnclassified(fetchRunIds: string[]): Promise<number> {
    return this.listings.countBy({ fetchRunId: In(fetchRunIds), classifiedAt: IsNull() });
  }

  countByRuns(fetchRunIds: string[]): Promise<number> {
    return this.listings.countBy({ fetchRunId: In(fetchRunIds) });
  }
}

/** Postgres text cannot hold U+0000; one in a feed would fail the whole page, so it goes. */
function withoutNul(listing: ParsedListing): ParsedListing {
  const clean = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);
  const cleanOrNull = (text: string | null): string | null => (text === null ? null : clean(text));
  return {
    ...listing,
    externalId: clean(listing.externalId),
    arxivId: cleanOrNull(listing.arxivId),
    doi: cleanOrNull(listing.doi),
    title: clean(listing.title),
    abstract: clean(listing.abstract),
    authors: listing.authors.map(clean),
    keywords: listing.keywords.map(clean),
    categories: listing.categories.map(clean),
    summary: cleanOrNull(listing.summary),
    url: cleanOrNull(listing.url),
    codeUrl: cleanOrNull(listing.codeUrl),
    projectUrl: cleanOrNull(listing.projectUrl),
    announceType: cleanOrNull(listing.announceType),
  };
}
