import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LedgerStats {
  papers: number;
  listingsBySource: { sourceId: string; count: number }[];
  digestsByStatus: { status: string; count: number }[];
  deliveriesByChannelAndStatus: { channel: string; status: string; count: number }[];
  fetchRunsBySourceAndStatus: { sourceId: string; status: string; count: number }[];
  sources: { id: string; health: string; enabled: boolean }[];
}

/** Counts for monitoring, read in one round of small aggregate queries. */
@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async snapshot(): Promise<LedgerStats> {
    const query = <T>(sql: string): Promise<T[]> => this.dataSource.query<T[]>(sql);
    const [papers, listings, digests, deliveries, runs, sources] = await Promise.all([
      query<{ count: number }>(`SELECT count(*)::int AS count FROM "papers" WHERE "readyAt" IS NOT NULL`),
      query<{ sourceId: string; count: number }>(
        `SELECT "sourceId", count(*)::int AS count FROM "listings" GROUP BY 1`,
      ),
      query<{ status: string; count: number }>(`SELECT "status", count(*)::int AS count FROM "digests" GROUP BY 1`),
      query<{ channel: string; status: string; count: number }>(
        `SELECT "channel", "status", count(*)::int AS count FROM "deliveries" GROUP BY 1, 2`,
      ),
      query<{ sourceId: string; status: string; count: number }>(
        `SELECT "sourceId", "status", count(*)::int AS count FROM "fetch_runs" GROUP BY 1, 2`,
      ),
      query<{ id: string; health: string; enabled: boolean }>(`SELECT "id", "health", "enabled" FROM "sources"`),
    ]);
    return {
      papers: papers[0]?.count ?? 0,
      listingsBySource: listings,
      digestsByStatus: digests,
      deliveriesByChannelAndStatus: deliveries,
      fetchRunsBySourceAndStatus: runs,
      sources,
    };
  }
}
