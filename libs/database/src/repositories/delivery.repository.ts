import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { type QueryResultRow } from 'pg';
import { In, Repository } from 'typeorm';
import { DeliveryEntity } from '../entities';
import { entityColumns, preparedQuery } from './pooled-client';

/**
 * A digest's deliveries, one per channel: claimed for sending, their attempts counted, their outcome recorded
 * (which settles the digest once none is left in flight), and the lost ones found again.
 */
@Injectable()
export class DeliveryRepository {
  private readonly namedStatements: boolean;
  /** The delivery's columns by name (see entityColumns: a claim must not break when a release adds one). */
  private readonly columns: string;

  constructor(
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
    settings: Settings,
  ) {
    this.namedStatements = settings.DATABASE_NAMED_STATEMENTS;
    this.columns = entityColumns(deliveries.manager.connection, DeliveryEntity);
  }

  /** The per-delivery statements run as named prepared statements (see preparedQuery). */
  private prepared<T extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return preparedQuery<T>(this.deliveries.manager.connection, this.namedStatements, { name, text, values });
  }

  findDelivery(id: string): Promise<DeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  deliveriesOf(digestIds: string[]): Promise<DeliveryEntity[]> {
    return digestIds.length === 0 ? Promise.resolve([]) : this.deliveries.findBy({ digestId: In(digestIds) });
  }

  /**
   * Takes a delivery for sending. Only a pending one can be taken, so a job run twice (a stalled
   * worker, a re-queue) sends once. Returns null when it is not pending.
   */
  async claimDelivery(id: string): Promise<DeliveryEntity | null> {
    const [row] = await this.prepared<DeliveryEntity>(
      'delivery-claim',
      `UPDATE "deliveries" SET "status" = 'sending', "attempts" = "attempts" + 1, "updatedAt" = now()
       WHERE "id" = $1 AND "status" = 'pending' RETURNING ${this.columns}`,
      [id],
    );
    return row ?? null;
  }

  /** Counts the messages of a split delivery accepted so far, while the delivery is claimed. */
  async recordPartsSent(id: string, partsSent: number): Promise<void> {
    await this.deliveries.query(`UPDATE "deliveries" SET "partsSent" = $2 WHERE "id" = $1 AND "status" = 'sending'`, [
      id,
      partsSent,
    ]);
  }

  /**
   * Records the outcome of a send and settles the digest once no delivery is left in flight. Only a
   * claimed row takes an outcome: a worker whose claim was released as dead cannot overwrite the re-send's.
   * One statement for the usual single-channel digest. When another channel of the digest looked in
   * flight, it may have finished at the same instant, unseen by this statement's snapshot (and this one
   * by its): settling again in a statement of its own, after this one committed, sees both.
   */
  async finishDelivery(
    id: string,
    outcome: { status: 'sent' | 'failed' | 'pending'; providerResponse?: string; error?: string | null },
    now: Date,
  ): Promise<void> {
    const [row] = await this.prepared<{ digestId: string; othersOpen: boolean }>(
      'delivery-finish',
      `WITH finished AS (
         UPDATE "deliveries" SET "status" = $2, "providerResponse" = $3, "lastError" = $4,
           "sentAt" = CASE WHEN $2 = 'sent' THEN $5::timestamptz ELSE NULL END, "updatedAt" = now()
         WHERE "id" = $1 AND "status" = 'sending' RETURNING "digestId"
       ),
       siblings AS (
         SELECT d."status" FROM "deliveries" d, finished f WHERE d."digestId" = f."digestId" AND d."id" <> $1
       ),
       settled AS (
         UPDATE "digests" SET "status" = CASE WHEN $2 = 'sent' OR EXISTS (SELECT 1 FROM siblings WHERE "status" = 'sent') THEN 'sent' ELSE 'failed' END
         WHERE "id" = (SELECT "digestId" FROM finished) AND $2 <> 'pending'
           AND NOT EXISTS (SELECT 1 FROM siblings WHERE "status" IN ('pending', 'sending'))
         RETURNING "id"
       )
       SELECT f."digestId", EXISTS (SELECT 1 FROM siblings WHERE "status" IN ('pending', 'sending')) AS "othersOpen"
       FROM finished f`,
      [id, outcome.status, outcome.providerResponse ?? null, outcome.error ?? null, now],
    );
    if (row?.othersOpen && outcome.status !== 'pending') {
      await this.settle(row.digestId);
    }
  }

  /** Settles a built digest whose deliveries are all finished: sent if any channel got it, else failed. */
  private async settle(digestId: string): Promise<void> {
    await this.deliveries.query(
      `UPDATE "digests" d SET "status" = CASE WHEN EXISTS (SELECT 1 FROM "deliveries" v WHERE v."digestId" = d."id" AND v."status" = 'sent')
                                              THEN 'sent' ELSE 'failed' END
       WHERE d."id" = $1 AND d."status" <> 'pending'
         AND NOT EXISTS (SELECT 1 FROM "deliveries" v WHERE v."digestId" = d."id" AND v."status" IN ('pending', 'sending'))`,
      [digestId],
    );
  }

  /**
   * A claim (which counts one attempt) that turned out not to be one: a wait for the webhook's own pacing
   * never reached the provider. Applies while the claim is held, before the outcome is recorded.
   */
  async uncount(id: string): Promise<void> {
    await this.deliveries.query(
      `UPDATE "deliveries" SET "attempts" = "attempts" - 1 WHERE "id" = $1 AND "status" = 'sending' AND "attempts" > 0`,
      [id],
    );
  }

  /**
   * The provider answered 429: an attempt, of the kind that does not use up the attempts for failures.
   * Applies while the claim is held, before the outcome is recorded.
   */
  async countRateLimited(id: string): Promise<void> {
    await this.deliveries.query(
      `UPDATE "deliveries" SET "rateLimited" = "rateLimited" + 1 WHERE "id" = $1 AND "status" = 'sending'`,
      [id],
    );
  }

  /**
   * Deliveries whose job was lost: pending `pendingSeconds` after their last change, or claimed
   * ("sending") `claimedSeconds` ago by a worker that died before recording the outcome. A dead claim is
   * released back to pending: the send may have happened, so this is where at-least-once can duplicate,
   * at most once per crashed send.
   */
  async findStaleDeliveries(pendingSeconds: number, claimedSeconds: number): Promise<string[]> {
    const [released] = await this.deliveries.query<[{ id: string }[], number]>(
      `UPDATE "deliveries" SET "status" = 'pending', "lastError" = 'claim released: the sending worker stopped', "updatedAt" = now()
       WHERE "status" = 'sending' AND "updatedAt" < now() - make_interval(secs => $1) RETURNING "id"`,
      [claimedSeconds],
    );
    const lost = await this.deliveries.query<{ id: string }[]>(
      `SELECT "id" FROM "deliveries" WHERE "status" = 'pending' AND "updatedAt" < now() - make_interval(secs => $1)`,
      [pendingSeconds],
    );
    return [...released, ...lost].map((row) => row.id);
  }
}
