import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { FetchRunEntity } from '../entities';

export interface FetchRunOutcome {
  status: 'succeeded' | 'failed';
  httpStatus: number | null;
  itemsSeen: number;
  itemsNew: number;
  error: string | null;
}

@Injectable()
export class FetchRunRepository {
  constructor(@InjectRepository(FetchRunEntity) private readonly runs: Repository<FetchRunEntity>) {}

  async start(sourceId: string, listingDate: string | null, now: Date): Promise<string> {
    const run = await this.runs.save(this.runs.create({ sourceId, listingDate, startedAt: now, status: 'running' }));
    return run.id;
  }

  async finish(id: string, outcome: FetchRunOutcome, now: Date): Promise<void> {
    await this.runs.update({ id }, { ...outcome, finishedAt: now });
  }

  /**
   * Closes the runs of a source still `running` that started before `startedBefore`: their fetcher died
   * mid-run, and a run that never ends would pass for one in progress. Returns how many there were.
   */
  async closeAbandoned(sourceId: string, startedBefore: Date, now: Date): Promise<number> {
    const result = await this.runs.update(
      { sourceId, status: 'running', startedAt: LessThan(startedBefore) },
      { status: 'failed', finishedAt: now, error: 'abandoned: the fetcher stopped before this run finished' },
    );
    return result.affected ?? 0;
  }

  /** The listing dates from `from` to `to` (YYYY-MM-DD, inclusive) with a succeeded run of the source. */
  async succeededDates(sourceId: string, from: string, to: string): Promise<string[]> {
    const rows: { listingDate: string }[] = await this.runs.query(
      `SELECT DISTINCT "listingDate"::text AS "listingDate" FROM "fetch_runs"
        WHERE "sourceId" = $1 AND "status" = 'succeeded' AND "listingDate" BETWEEN $2::date AND $3::date
        ORDER BY 1`,
      [sourceId, from, to],
    );
    return rows.map((row) => row.listingDate);
  }

  findByIds(ids: string[]): Promise<FetchRunEntity[]> {
    return this.runs.findBy({ id: In(ids) });
  }
}
