import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
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

  findByIds(ids: string[]): Promise<FetchRunEntity[]> {
    return this.runs.findBy({ id: In(ids) });
  }
}
