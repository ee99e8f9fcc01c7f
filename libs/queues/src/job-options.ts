import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { JobData, JobName } from './queue-contract';

const SECOND = 1000;

/**
 * Failed sends of one delivery before it is given up as failed (the ledger enforces it too, see
 * DeliveryService). A 429 is not a failure and a wait for the webhook's own pacing is not a send: neither counts.
 */
export const DELIVERY_SEND_ATTEMPTS = 8;

/**
 * How long after its digest was built a delivery Slack keeps rate-limiting (429) is still tried: a day, after
 * which a daily digest is overtaken by the next one.
 */
export const DELIVERY_RATE_LIMITED_GIVE_UP_MS = 24 * 3600 * 1000;

/** How long after the last vote or seed of a burst a subscriber's model is trained. */
export const RELEVANCE_TRAIN_DELAY_MS = 30 * SECOND;

/** Finished jobs are kept a while for inspection, bounded so Redis does not grow without end. */
export const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/**
 * Retries and ids per job kind, decided once. Custom ids make a re-enqueue of the same work a no-op
 * while the job exists; the database state is the real guard once it is gone.
 */
export function jobOptionsFor<N extends JobName>(name: N, data: JobData<N>): JobsOptions {
  switch (name) {
    case JobName.SourceFetch:
      // Upstreams fail transiently (timeouts, 5xx, 429): back off with jitter.
      return { ...RETENTION, attempts: 4, backoff: { type: 'exponential', delay: 30 * SECOND, jitter: 0.5 } };
    case JobName.SourceLookup: {
      // As a fetch; the id comes from the source and the ids, so a run retried after queueing adds nothing.
      const lookup = data as JobData<JobName.SourceLookup>;
      const ids = createHash('sha256').update(lookup.arxivIds.join(',')).digest('hex').slice(0, 32);
      return {
        ...RETENTION,
        jobId: `lookup-${lookup.sourceId}-${ids}`,
        attempts: 4,
        backoff: { type: 'exponential', delay: 30 * SECOND, jitter: 0.5 },
      };
    }
    case JobName.ListingsClassify:
      // Only the database can fail here; a few quick retries cover a restart. The id is a hash of the listing
      // ids, so queueing the same batch twice is a no-op. A job carries up to 500 ids (about 19 kB): fewer
      // finished ones are kept than of other kinds.
      return {
        ...RETENTION,
        removeOnComplete: { age: 24 * 3600, count: 500 },
        jobId: `listings-${createHash('sha256')
          .update((data as JobData<JobName.ListingsClassify>).listingIds.join(','))
          .digest('hex')
          .slice(0, 32)}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2 * SECOND },
      };
    case JobName.DigestQueueAll:
      return { ...RETENTION, attempts: 3, backoff: { type: 'exponential', delay: 10 * SECOND } };
    case JobName.DigestBuild:
      return {
        ...RETENTION,
        jobId: `digest-${(data as JobData<JobName.DigestBuild>).digestId}`,
        attempts: 6,
        backoff: { type: 'exponential', delay: 10 * SECOND },
      };
    case JobName.DeliverySend:
      // SMTP and Slack outages can last a while: about 4 hours of retries in all.
      return {
        ...RETENTION,
        jobId: `delivery-${(data as JobData<JobName.DeliverySend>).deliveryId}`,
        attempts: DELIVERY_SEND_ATTEMPTS,
        backoff: { type: 'exponential', delay: 60 * SECOND, jitter: 0.5 },
      };
    case JobName.ConfirmationSend: {
      // One job per subscription, and one per address change (the first one's id is kept a day after it ran).
      const { subscriptionId, emailRequestedAt } = data as JobData<JobName.ConfirmationSend>;
      return {
        ...RETENTION,
        jobId: emailRequestedAt
          ? `confirm-${subscriptionId}-${Date.parse(emailRequestedAt)}`
          : `confirm-${subscriptionId}`,
        attempts: 6,
        backoff: { type: 'exponential', delay: 30 * SECOND, jitter: 0.5 },
      };
    }
    case JobName.SourceHealthAlert: {
      // One job per change: a fetch retried or run twice after the same change adds nothing. BullMQ ids
      // may not contain ':', hence the instant in milliseconds.
      const alert = data as JobData<JobName.SourceHealthAlert>;
      return {
        ...RETENTION,
        jobId: `source-alert-${alert.sourceId}-${Date.parse(alert.changedAt)}`,
        attempts: 6,
        backoff: { type: 'exponential', delay: 30 * SECOND, jitter: 0.5 },
      };
    }
    case JobName.RelevanceTrain: {
      // Debounced: votes in a burst replace the waiting job and push it back, so one training follows the
      // last of them (BullMQ deduplication with extend and replace).
      const { subscriptionId } = data as JobData<JobName.RelevanceTrain>;
      return {
        ...RETENTION,
        delay: RELEVANCE_TRAIN_DELAY_MS,
        deduplication: { id: `train-${subscriptionId}`, ttl: RELEVANCE_TRAIN_DELAY_MS, extend: true, replace: true },
        attempts: 3,
        backoff: { type: 'exponential', delay: 10 * SECOND },
      };
    }
    case JobName.LedgerPrune:
      // Idempotent: a retry, or the next hour's run, removes what is left.
      return { ...RETENTION, attempts: 3, backoff: { type: 'exponential', delay: 60 * SECOND } };
    case JobName.PapersEmbed:
      // The embeddings service may be down for a while (a 5xx or 429, a timeout): about 2 hours of retries
      // with jitter; a backfill queues what is still missing after that. The id is a hash of the paper ids,
      // so queueing the same papers twice is a no-op; a run that finds them embedded calls nothing.
      return {
        ...RETENTION,
        jobId: `embed-${createHash('sha256')
          .update((data as JobData<JobName.PapersEmbed>).paperIds.join(','))
          .digest('hex')
          .slice(0, 32)}`,
        attempts: 8,
        backoff: { type: 'exponential', delay: 60 * SECOND, jitter: 0.5 },
      };
  }
}
