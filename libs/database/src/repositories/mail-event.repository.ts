import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** A hard bounce suppresses the address; a complaint also unsubscribes it (the reader called our mail spam). */
export type MailEventKind = 'hard-bounce' | 'complaint';

/** One provider's report about one address. */
export interface MailEvent {
  provider: string;
  /** The provider's own id of the event (per recipient where one report names several). */
  eventId: string;
  kind: MailEventKind;
  /** Normalised, as subscriptions store it. */
  email: string;
  reason: string;
  occurredAt: Date | null;
}

/** What a batch did: events seen for the first time, and the subscriptions they suppressed or unsubscribed. */
export interface RecordedMailBatch {
  recorded: number;
  subscriptionsAffected: number;
}

export interface RecordedMailEvent {
  /** false: the provider sent this event before (a replay); nothing was changed again. */
  recorded: boolean;
  /** Subscriptions of the address that this event suppressed or unsubscribed. */
  subscriptionsAffected: number;
}

/** A provider event as the admin delivery log shows it. */
export interface MailEventEntry {
  provider: string;
  kind: MailEventKind;
  reason: string;
  occurredAt: Date | null;
  receivedAt: Date;
}

/** Bounces and complaints from the mail providers' webhooks, and what they did to subscriptions. */
@Injectable()
export class MailEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A provider's batch (SendGrid and Mailgun post many events at once) in one transaction: all of it is
   * stored or none. Each event is stored once and applied with it, so replays, whole or in part, change nothing.
   */
  async recordBatch(events: readonly MailEvent[], now: Date): Promise<RecordedMailBatch> {
    const total = { recorded: 0, subscriptionsAffected: 0 };
    if (events.length === 0) {
      return total;
    }
    return this.dataSource.transaction(async (manager) => {
      for (const event of events) {
        const outcome = await this.apply(manager, event, now);
        total.recorded += outcome.recorded ? 1 : 0;
        total.subscriptionsAffected += outcome.subscriptionsAffected;
      }
      return total;
    });
  }

  /**
   * Stores one event and applies it: a replay (same provider and event id) inserts nothing and changes nothing.
   * A hard bounce suppresses the address's email; a complaint unsubscribes it too. Addresses are compared in
   * the one spelling subscriptions keep.
   */
  private async apply(manager: EntityManager, event: MailEvent, now: Date): Promise<RecordedMailEvent> {
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO "mail_events" ("provider", "eventId", "kind", "email", "reason", "occurredAt", "receivedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ("provider", "eventId") DO NOTHING RETURNING "id"`,
      [event.provider, event.eventId, event.kind, event.email, event.reason, event.occurredAt, now],
    );
    if (inserted.length === 0) {
      return { recorded: false, subscriptionsAffected: 0 };
    }
    const complaint = event.kind === 'complaint';
    const [affected] = await manager.query<[unknown[], number]>(
      `UPDATE "subscriptions"
       SET "emailSuppressedAt" = COALESCE("emailSuppressedAt", $2),
           "status" = CASE WHEN $3 AND "status" <> 'unsubscribed' THEN 'unsubscribed' ELSE "status" END,
           "unsubscribedAt" = CASE WHEN $3 THEN COALESCE("unsubscribedAt", $2) ELSE "unsubscribedAt" END,
           "updatedAt" = now()
       WHERE "email" = $1 AND ("emailSuppressedAt" IS NULL OR ($3 AND "status" <> 'unsubscribed'))
       RETURNING "id"`,
      [event.email, now, complaint],
    );
    const subscriptionsAffected = Array.isArray(affected) ? affected.length : 0;
    await manager.query(`UPDATE "mail_events" SET "subscriptionsAffected" = $2 WHERE "id" = $1`, [
      inserted[0].id,
      subscriptionsAffected,
    ]);
    return { recorded: true, subscriptionsAffected };
  }

  /** When the subscription's address was suppressed, and the newest provider events about it, newest first. */
  async forSubscription(
    subscriptionId: string,
    limit: number,
  ): Promise<{ emailSuppressedAt: Date | null; events: MailEventEntry[] }> {
    const [subscription, events] = await Promise.all([
      this.dataSource.query<{ emailSuppressedAt: Date | null }[]>(
        `SELECT "emailSuppressedAt" FROM "subscriptions" WHERE "id" = $1`,
        [subscriptionId],
      ),
      this.dataSource.query<MailEventEntry[]>(
        `SELECT e."provider", e."kind", e."reason", e."occurredAt", e."receivedAt"
         FROM "mail_events" e JOIN "subscriptions" s ON s."email" = e."email"
         WHERE s."id" = $1 ORDER BY e."receivedAt" DESC, e."id" LIMIT $2`,
        [subscriptionId, limit],
      ),
    ]);
    return { emailSuppressedAt: subscription[0]?.emailSuppressedAt ?? null, events };
  }
}
