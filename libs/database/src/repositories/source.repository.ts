import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Not, Repository } from 'typeorm';
import { FetchRunStatus, SourceEntity } from '../entities';

export interface SourceDefinition {
  id: string;
  kind: string;
  url: string;
  schedule: string;
  timezone: string;
  lookupWith?: string;
}

export type SourceHealthLevel = SourceEntity['health'];

export interface SourceHealthState {
  health: SourceHealthLevel;
  reason: string | null;
}

/** The latest run of a source, finished or not. */
export interface SourceLastRun {
  id: string;
  status: FetchRunStatus;
  listingDate: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  httpStatus: number | null;
  itemsSeen: number;
  itemsNew: number;
  /** The failure, or the items skipped and notes (a permanent redirect followed) of a successful run. */
  error: string | null;
}

/** A source's state and its latest run, for the operators' table and the admin endpoint. */
export interface SourceHealth {
  id: string;
  kind: string;
  /** As configured, or where a permanent redirect led: it may carry a token in its query, so redact it before showing. */
  url: string;
  enabled: boolean;
  health: SourceHealthLevel;
  healthReason: string | null;
  healthChangedAt: Date | null;
  consecutiveFailures: number;
  /** The last listing date fetched successfully (YYYY-MM-DD). */
  cursorDate: string | null;
  /** Null before the first run. */
  lastRun: SourceLastRun | null;
}

/** `T`'s fields as the columns of a LEFT JOIN: `prefix` + field name, null when nothing joined. */
type Joined<T, Prefix extends string> = { [K in keyof T & string as `${Prefix}${Capitalize<K>}`]: T[K] | null };

/** A row of `health()`: the source's own columns, then its latest run's as run* (null before the first). */
type HealthRow = Omit<SourceHealth, 'lastRun'> & Joined<SourceLastRun, 'run'>;

@Injectable()
export class SourceRepository {
  constructor(@InjectRepository(SourceEntity) private readonly sources: Repository<SourceEntity>) {}

  /**
   * Mirrors the sources file: upserts its sources and disables the ones it no longer lists (their history
   * stays). A source whose URL in the file is unchanged keeps what upstream said since: the URL a 301 led
   * to, its validators, and a 410's disabling. A changed URL starts afresh. Returns the ids of the sources
   * to fetch (listed and not gone).
   */
  async syncFromFile(definitions: SourceDefinition[], within: EntityManager = this.sources.manager): Promise<string[]> {
    return within.transaction(async (manager) => {
      for (const definition of definitions) {
        await manager.query(
          `INSERT INTO "sources" ("id", "kind", "url", "configuredUrl", "schedule", "timezone", "lookupWith", "enabled")
           VALUES ($1, $2, $3, $3, $4, $5, $6, true)
           ON CONFLICT ("id") DO UPDATE SET
             "kind" = EXCLUDED."kind", "schedule" = EXCLUDED."schedule", "timezone" = EXCLUDED."timezone",
             "lookupWith" = EXCLUDED."lookupWith",
             "url" = CASE WHEN "sources"."configuredUrl" IS NOT DISTINCT FROM EXCLUDED."configuredUrl" THEN "sources"."url" ELSE EXCLUDED."url" END,
             "etag" = CASE WHEN "sources"."configuredUrl" IS NOT DISTINCT FROM EXCLUDED."configuredUrl" THEN "sources"."etag" END,
             "lastModified" = CASE WHEN "sources"."configuredUrl" IS NOT DISTINCT FROM EXCLUDED."configuredUrl" THEN "sources"."lastModified" END,
             "goneAt" = CASE WHEN "sources"."configuredUrl" IS NOT DISTINCT FROM EXCLUDED."configuredUrl" THEN "sources"."goneAt" END,
             "enabled" = "sources"."configuredUrl" IS DISTINCT FROM EXCLUDED."configuredUrl" OR "sources"."goneAt" IS NULL,
             "configuredUrl" = EXCLUDED."configuredUrl"`,
          [
            definition.id,
            definition.kind,
            definition.url,
            definition.schedule,
            definition.timezone,
            definition.lookupWith ?? null,
          ],
        );
      }
      const repo = manager.getRepository(SourceEntity);
      await repo.update({ id: Not(In(definitions.map((definition) => definition.id))) }, { enabled: false });
      const active = await repo.find({ select: { id: true }, where: { enabled: true }, order: { id: 'ASC' } });
      return active.map((source) => source.id);
    });
  }

  /** Fetches a source again after a 410 (upstream came back): returns false for an unknown or unlisted source. */
  async enableGone(id: string): Promise<boolean> {
    const result = await this.sources
      .createQueryBuilder()
      .update(SourceEntity)
      .set({ enabled: true, goneAt: null })
      .where('id = :id AND "goneAt" IS NOT NULL', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Runs `work` while holding a Postgres advisory lock, so only one replica at a time does it. The lock is
   * transaction-scoped and `work` gets that transaction's manager: behind a transaction-mode pooler
   * (PgBouncer) a session lock would be taken and released on different server connections, and work on
   * a second connection could wait for a server connection that a replica queued on the lock holds.
   */
  async withLock<T>(name: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.sources.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
      return work(manager);
    });
  }

  findById(id: string): Promise<SourceEntity | null> {
    return this.sources.findOneBy({ id });
  }

  findEnabled(): Promise<SourceEntity[]> {
    return this.sources.find({ where: { enabled: true }, order: { id: 'ASC' } });
  }

  /** The validators of a 200, for the next conditional GET (null clears one the server stopped sending). */
  async saveValidators(id: string, validators: { etag: string | null; lastModified: string | null }): Promise<void> {
    await this.sources.update({ id }, { etag: validators.etag, lastModified: validators.lastModified });
  }

  /**
   * Follows a permanent redirect: the source's URL becomes `to`, unless it is no longer `from` (the
   * sources file changed meanwhile). The validators stay: they came from `to` already.
   */
  async moveUrl(id: string, from: string, to: string): Promise<boolean> {
    const result = await this.sources.update({ id, url: from }, { url: to });
    return (result.affected ?? 0) > 0;
  }

  /** Moves the cursor to `date`, never back (a slower replica may finish an older date later). */
  async advanceCursor(id: string, date: string): Promise<void> {
    await this.sources
      .createQueryBuilder()
      .update(SourceEntity)
      .set({ cursorDate: () => 'GREATEST("cursorDate", CAST(:date AS date))' })
      .setParameter('date', date)
      .where('id = :id', { id })
      .execute();
  }

  /**
   * Stops fetching a source: upstream said 410 Gone. It stays disabled across restarts until its URL
   * changes in the sources file or an operator enables it (`sources enable`).
   */
  async markGone(id: string, now: Date): Promise<void> {
    await this.sources.update({ id }, { enabled: false, goneAt: now });
  }

  /** Counts failed runs in a row: a success resets the count. Returns the count after this run. */
  async recordRunOutcome(id: string, succeeded: boolean): Promise<number> {
    const result = await this.sources
      .createQueryBuilder()
      .update(SourceEntity)
      .set({ consecutiveFailures: () => (succeeded ? '0' : '"consecutiveFailures" + 1') })
      .where('id = :id', { id })
      .returning(['consecutiveFailures'])
      .execute();
    const rows = result.raw as { consecutiveFailures: number }[];
    return rows[0]?.consecutiveFailures ?? 0;
  }

  /**
   * Sets a source's health to what `decide` makes of the current one, under a row lock so concurrent runs
   * do not interleave. `healthChangedAt` moves only when the level changes (it says since when a source
   * is failing); the reason is the latest. Returns the level before and after, null for an unknown source.
   */
  async updateHealth(
    id: string,
    decide: (current: SourceHealthState) => SourceHealthState,
    now: Date,
  ): Promise<{ before: SourceHealthLevel; after: SourceHealthLevel; reason: string | null } | null> {
    return this.sources.manager.transaction(async (manager) => {
      const repo = manager.getRepository(SourceEntity);
      const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) {
        return null;
      }
      const next = decide({ health: current.health, reason: current.healthReason });
      const changed = current.health !== next.health;
      if (changed || current.healthReason !== next.reason) {
        await repo.update(
          { id },
          { health: next.health, healthReason: next.reason, ...(changed ? { healthChangedAt: now } : {}) },
        );
      }
      return { before: current.health, after: next.health, reason: next.reason };
    });
  }

  /** Every source, enabled or not, with its health and its latest run. */
  async health(): Promise<SourceHealth[]> {
    const rows: HealthRow[] = await this.sources.query(`
      SELECT s."id", s."kind", s."url", s."enabled", s."health", s."healthReason", s."healthChangedAt",
             s."consecutiveFailures", s."cursorDate"::text AS "cursorDate",
             r."id" AS "runId", r."status" AS "runStatus", r."listingDate"::text AS "runListingDate",
             r."startedAt" AS "runStartedAt", r."finishedAt" AS "runFinishedAt", r."httpStatus" AS "runHttpStatus",
             r."itemsSeen" AS "runItemsSeen", r."itemsNew" AS "runItemsNew", r."error" AS "runError"
        FROM "sources" s
        LEFT JOIN LATERAL (
          SELECT f."id", f."status", f."listingDate", f."startedAt", f."finishedAt", f."httpStatus",
                 f."itemsSeen", f."itemsNew", f."error"
            FROM "fetch_runs" f
           WHERE f."sourceId" = s."id"
           ORDER BY f."startedAt" DESC, f."listingDate" DESC NULLS LAST, f."id" DESC
           LIMIT 1
        ) r ON true
       ORDER BY s."id"`);
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      url: row.url,
      enabled: row.enabled,
      health: row.health,
      healthReason: row.healthReason,
      healthChangedAt: row.healthChangedAt,
      consecutiveFailures: row.consecutiveFailures,
      cursorDate: row.cursorDate,
      lastRun:
        row.runId === null
          ? null
          : {
              id: row.runId,
              status: row.runStatus as FetchRunStatus,
              listingDate: row.runListingDate,
              startedAt: row.runStartedAt as Date,
              finishedAt: row.runFinishedAt,
              httpStatus: row.runHttpStatus,
              itemsSeen: row.runItemsSeen ?? 0,
              itemsNew: row.runItemsNew ?? 0,
              error: row.runError,
            },
    }));
  }
}
