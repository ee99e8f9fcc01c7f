import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeliveryChannel, DeliveryStatus } from '../entities/delivery.entity';
import { DigestStatus } from '../entities/digest.entity';

/** One row of a subscription's delivery log: a digest's delivery by one channel, and how it went. */
export interface DeliveryLogEntry {
  id: string;
  digestId: string;
  periodKey: string;
  digestStatus: DigestStatus;
  dueAt: Date;
  paperCount: number;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  attempts: number;
  partsSent: number;
  providerResponse: string | null;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What an operator's resend needs to know about a delivery and the subscription it goes to. */
export interface DeliveryForResend {
  id: string;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  sentAt: Date | null;
  subscriptionId: string;
  subscriptionStatus: string;
  hasEmail: boolean;
  emailSuppressedAt: Date | null;
  hasSlack: boolean;
  slackDisabledReason: string | null;
  slackDisabledAt: Date | null;
}

/** The delivery ledger as operators see it: a subscription's log, and reopening a failed delivery. */
@Injectable()
export class DeliveryLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async subscriptionExists(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(`SELECT 1 FROM "subscriptions" WHERE "id" = $1`, [id]);
    return rows.length > 0;
  }

  /** Newest period first, then by channel. */
  async forSubscription(
    subscriptionId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: DeliveryLogEntry[]; total: number }> {
    const [items, count] = await Promise.all([
      this.dataSource.query<DeliveryLogEntry[]>(
        `SELECT dl."id", dl."digestId", d."periodKey", d."status" AS "digestStatus", d."dueAt", d."paperCount",
                dl."channel", dl."status", dl."attempts", dl."partsSent", dl."providerResponse", dl."lastError",
                dl."sentAt", dl."createdAt", dl."updatedAt"
         FROM "deliveries" dl JOIN "digests" d ON d."id" = dl."digestId"
         WHERE d."subscriptionId" = $1
         ORDER BY d."dueAt" DESC, d."id", dl."channel"
         LIMIT $2 OFFSET $3`,
        [subscriptionId, page.limit, page.offset],
      ),
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM "deliveries" dl JOIN "digests" d ON d."id" = dl."digestId"
         WHERE d."subscriptionId" = $1`,
        [subscriptionId],
      ),
    ]);
    return { items, total: count[0]?.total ?? 0 };
  }

  async findForResend(id: string): Promise<DeliveryForResend | null> {
    const rows = await this.dataSource.query<DeliveryForResend[]>(
      `SELECT dl."id", dl."channel", dl."status", dl."sentAt", s."id" AS "subscriptionId",
              s."status" AS "subscriptionStatus", s."email" IS NOT NULL AS "hasEmail", s."emailSuppressedAt",
              s."slackWebhookUrl" IS NOT NULL AS "hasSlack", s."slackDisabledReason", s."slackDisabledAt"
       FROM "deliveries" dl JOIN "digests" d ON d."id" = dl."digestId" JOIN "subscriptions" s ON s."id" = d."subscriptionId"
       WHERE dl."id" = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Puts a failed delivery back to pending with a fresh attempt budget (the notifier gives up after its
   * last attempt), keeping the Slack messages already accepted so they are not sent twice; its digest,
   * settled as failed, is under way again. Only from failed, so two resends at once reopen it once.
   */
  async reopenFailed(id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [reopened] = await manager.query<[{ digestId: string }[], number]>(
        `UPDATE "deliveries" SET "status" = 'pending', "attempts" = 0, "updatedAt" = now()
         WHERE "id" = $1 AND "status" = 'failed' RETURNING "digestId"`,
        [id],
      );
      if (reopened.length === 0) {
        return false;
      }
      await manager.query(`UPDATE "digests" SET "status" = 'ready' WHERE "id" = $1 AND "status" = 'failed'`, [
        reopened[0].digestId,
      ]);
      return true;
    });
  }
}
