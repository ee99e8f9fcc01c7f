import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import { LedgerRetentionRepository } from '@libs/database';
import { retentionCutoff } from '@libs/domain';

/** Rows a pruning statement removes at most: a short transaction, a few thousand rows with the children. */
export const PRUNE_BATCH = 500;

export interface PruneSummary {
  cutoff: Date;
  digests: number;
  digestPapers: number;
  deliveries: number;
  fetchRuns: number;
}

/**
 * Keeps the ledger bounded: digests (with their papers and deliveries) and fetch runs older than
 * RETENTION_DAYS go, batch after batch, until none is left. Run hourly by the LedgerPrune job; running it
 * twice, or on two notifiers at once, removes each row once.
 */
@Injectable()
export class LedgerRetentionService {
  private readonly logger = new Logger(LedgerRetentionService.name);

  constructor(
    private readonly settings: Settings,
    private readonly ledger: LedgerRetentionRepository,
  ) {}

  async prune(now: Date, batch = PRUNE_BATCH): Promise<PruneSummary> {
    const cutoff = retentionCutoff(now, this.settings.RETENTION_DAYS);
    const summary: PruneSummary = { cutoff, digests: 0, digestPapers: 0, deliveries: 0, fetchRuns: 0 };
    for (;;) {
      const pruned = await this.ledger.pruneDigests(cutoff, batch);
      summary.digests += pruned.digests;
      summary.digestPapers += pruned.digestPapers;
      summary.deliveries += pruned.deliveries;
      if (pruned.digests < batch) {
        break;
      }
    }
    for (;;) {
      const runs = await this.ledger.pruneFetchRuns(cutoff, batch);
      summary.fetchRuns += runs;
      if (runs < batch) {
        break;
      }
    }
    if (summary.digests + summary.fetchRuns > 0) {
      this.logger.log(
        `Pruned the ledger before ${cutoff.toISOString()}: ${summary.digests} digests (${summary.digestPapers} papers, ` +
          `${summary.deliveries} deliveries), ${summary.fetchRuns} fetch runs`,
      );
    }
    return summary;
  }
}
