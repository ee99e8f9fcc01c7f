import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What one pruning batch removed. */
export interface PrunedDigests {
  digests: number;
  digestPapers: number;
  deliveries: number;
}

/**
 * Removes ledger rows older than the retention, a batch per statement: each is a short transaction that
 * holds only the rows it deletes, skipping any a notifier holds, so pruning never stalls the fan-out.
 * Why the papers of a pruned digest cannot be sent again: retentionCutoff in libs/domain.
 */
@Injectable()
export class LedgerRetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Up to `limit` settled digests planned for before `cutoff`, oldest first, with their papers and
   * deliveries. Digests still pending or being sent are left to finish.
   */
  async pruneDigests(cutoff: Date, limit: number): Promise<PrunedDigests> {
    // The children go in the statement's own CTEs (their cascades then find nothing) so it can count them.
    const [row] = await this.dataSource.query<{ digests: number; digestPapers: number; deliveries: number }[]>(
      `WITH doomed AS (
         SELECT "id" FROM "digests"
         WHERE "plannedFor" < $1 AND "status" IN ('empty', 'sent', 'failed', 'merged')
         ORDER BY "plannedFor" LIMIT $2 FOR UPDATE SKIP LOCKED
       ),
       papers AS (DELETE FROM "digest_papers" p USING doomed d WHERE p."digestId" = d."id" RETURNING 1),
       deliveries AS (DELETE FROM "deliveries" v USING doomed d WHERE v."digestId" = d."id" RETURNING 1),
       digests AS (DELETE FROM "digests" g USING doomed d WHERE g."id" = d."id" RETURNING 1)
       SELECT (SELECT count(*) FROM digests)::int AS "digests", (SELECT count(*) FROM papers)::int AS "digestPapers",
              (SELECT count(*) FROM deliveries)::int AS "deliveries"`,
      [cutoff, limit],
    );
    return row;
  }

  /**
   * Up to `limit` finished fetch runs started before `cutoff`, except each source's latest run, which the
   * sources' status shows however old it is. Listings keep their rows (their run becomes null).
   */
  async pruneFetchRuns(cutoff: Date, limit: number): Promise<number> {
    const [row] = await this.dataSource.query<{ runs: number }[]>(
      `WITH doomed AS (
         SELECT f."id" FROM "sources" s
         CROSS JOIN LATERAL (
           SELECT l."id" FROM "fetch_runs" l WHERE l."sourceId" = s."id"
           ORDER BY l."startedAt" DESC, l."listingDate" DESC NULLS LAST, l."id" DESC LIMIT 1
         ) latest
         CROSS JOIN LATERAL (
           SELECT r."id" FROM "fetch_runs" r
           WHERE r."sourceId" = s."id" AND r."startedAt" < $1 AND r."status" <> 'running' AND r."id" <> latest."id"
           ORDER BY r."startedAt" LIMIT $2
         ) f
         LIMIT $2
       ),
       runs AS (DELETE FROM "fetch_runs" r USING doomed d WHERE r."id" = d."id" RETURNING 1)
       SELECT count(*)::int AS "runs" FROM runs`,
      [cutoff, limit],
    );
    return row.runs;
  }
}
