import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SubscriptionEntity } from '../entities';

export type NewSubscription = Pick<
  SubscriptionEntity,
  | 'email'
  | 'slackWebhookUrl'
  | 'status'
  | 'topics'
  | 'keywords'
  | 'frequency'
  | 'weekday'
  | 'timezone'
  | 'sendHour'
  | 'maxPapers'
  | 'activatedAt'
>;

@Injectable()
export class SubscriptionRepository {
  constructor(@InjectRepository(SubscriptionEntity) private readonly subscriptions: Repository<SubscriptionEntity>) {}

  create(subscription: NewSubscription): Promise<SubscriptionEntity> {
    return this.subscriptions.save(this.subscriptions.create(subscription));
  }

  findById(id: string): Promise<SubscriptionEntity | null> {
    return this.subscriptions.findOneBy({ id });
  }

  findActive(): Promise<SubscriptionEntity[]> {
    return this.subscriptions.find({ where: { status: 'active' }, order: { createdAt: 'ASC' } });
  }

  /** pending -> active; true when this call activated it (a second click changes nothing). */
  async activate(id: string, now: Date): Promise<boolean> {
    const result = await this.subscriptions.update({ id, status: 'pending' }, { status: 'active', activatedAt: now });
    return (result.affected ?? 0) > 0;
  }

  /** Idempotent: unsubscribing twice leaves the first time recorded. */
  async unsubscribe(id: string, now: Date): Promise<void> {
    await this.subscriptions
      .createQueryBuilder()
      .update()
      .set({ status: 'unsubscribed', unsubscribedAt: () => `COALESCE("unsubscribedAt", :now)` })
      .setParameter('now', now)
      .where('id = :id', { id })
      .execute();
  }
}
