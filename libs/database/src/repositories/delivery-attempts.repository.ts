import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * How the attempts of a claimed delivery are counted, when a claim (which counts one attempt) turns out not
 * to have been one: a wait for the webhook's own pacing never reached the provider; a 429 reached it but
 * is counted apart from failures. Each update applies while the claim is held, before the outcome is
 * recorded (DigestRepository.finishDelivery).
 */
@Injectable()
export class DeliveryAttemptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The claim sent nothing (our own pacing said wait): it is not an attempt. */
  async uncount(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "deliveries" SET "attempts" = "attempts" - 1 WHERE "id" = $1 AND "status" = 'sending' AND "attempts" > 0`,
      [id],
    );
  }

  /** The provider answered 429: an attempt, of the kind that does not use up the attempts for failures. */
  async countRateLimited(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "deliveries" SET "rateLimited" = "rateLimited" + 1 WHERE "id" = $1 AND "status" = 'sending'`,
      [id],
    );
  }
}
