import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, Repository } from 'typeorm';
import { SourceEntity } from '../entities';

export interface SourceDefinition {
  id: string;
  kind: string;
  url: string;
  schedule: string;
  timezone: string;
}

@Injectable()
export class SourceRepository {
  constructor(@InjectRepository(SourceEntity) private readonly sources: Repository<SourceEntity>) {}

  /** Mirrors the sources file: upserts its sources, disables the ones it no longer lists (their history stays). */
  async syncFromFile(definitions: SourceDefinition[]): Promise<void> {
    await this.sources.manager.transaction(async (manager) => {
      const repo = manager.getRepository(SourceEntity);
      if (definitions.length > 0) {
        await repo.upsert(
          definitions.map((definition) => ({ ...definition, enabled: true })),
          ['id'],
        );
      }
      await repo.update({ id: Not(In(definitions.map((definition) => definition.id))) }, { enabled: false });
    });
  }

  /** Runs `work` while holding a Postgres advisory lock, so only one replica at a time does it. */
  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const runner = this.sources.manager.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      await runner.release();
    }
  }

  findById(id: string): Promise<SourceEntity | null> {
    return this.sources.findOneBy({ id });
  }

  findEnabled(): Promise<SourceEntity[]> {
    return this.sources.find({ where: { enabled: true }, order: { id: 'ASC' } });
  }
}
