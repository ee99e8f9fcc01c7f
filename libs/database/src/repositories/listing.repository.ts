import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import type { ParsedListing } from '@libs/domain';
import { ListingEntity } from '../entities';

@Injectable()
export class ListingRepository {
  constructor(@InjectRepository(ListingEntity) private readonly listings: Repository<ListingEntity>) {}

  /**
   * Stores the listings a source has not listed before and returns the ids of those actually inserted;
   * (source, external id) is unique, so fetching the same page twice stores nothing new.
   */
  async insertNew(sourceId: string, fetchRunId: string, parsed: ParsedListing[]): Promise<string[]> {
    if (parsed.length === 0) {
      return [];
    }
    const ids: string[] = [];
    // Postgres takes at most 65,535 parameters a statement: about 22 a listing, so chunks of 1,000.
    for (let start = 0; start < parsed.length; start += 1000) {
      const result = await this.listings
        .createQueryBuilder()
        .insert()
        .into(ListingEntity)
        .values(parsed.slice(start, start + 1000).map((listing) => ({ ...listing, sourceId, fetchRunId })))
        .orIgnore()
        .returning(['id'])
        .execute();
      ids.push(...(result.raw as { id: string }[]).map((row) => row.id));
    }
    return ids;
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

  async findUnclassifiedIds(sourceId: string): Promise<string[]> {
    const rows = await this.listings.find({ select: { id: true }, where: { sourceId, classifiedAt: IsNull() } });
    return rows.map((row) => row.id);
  }

  countUnclassified(fetchRunIds: string[]): Promise<number> {
    return this.listings.countBy({ fetchRunId: In(fetchRunIds), classifiedAt: IsNull() });
  }

  countByRuns(fetchRunIds: string[]): Promise<number> {
    return this.listings.countBy({ fetchRunId: In(fetchRunIds) });
  }
}
