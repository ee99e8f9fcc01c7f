/**
 * The one contract between producers and consumers: queue names, job names, payloads and where each
 * job goes. Payloads carry ids only; Postgres holds the state. Queue names are Redis key names:
 * renaming one strands the jobs already queued under it.
 */
export enum QueueName {
  Fetch = 'fetch',
  Classify = 'classify',
  Notify = 'notify',
  /** Calls to the optional embeddings service, apart from classification: an outage there holds up nothing else. */
  Embed = 'embed',
}

export enum JobName {
  /** Fetch one source for one listing date (default: today in the source's zone). */
  SourceFetch = 'SourceFetch',
  /** Look papers up by arXiv id on an arxiv-api source (at most MAX_LOOKUP_IDS of the fetcher). */
  SourceLookup = 'SourceLookup',
  /**
   * Turn a batch of stored listings (at most CLASSIFY_BATCH_SIZE, e.g. one fetched page) into (parts of)
   * canonical papers, set-based: a few statements per batch rather than per listing.
   */
  ListingsClassify = 'ListingsClassify',
  /** Scheduler tick: claim the digests that are due and queue their builds. */
  DigestQueueAll = 'DigestQueueAll',
  DigestBuild = 'DigestBuild',
  /** Send one channel's delivery of one digest. */
  DeliverySend = 'DeliverySend',
  /** Send the double opt-in email of a new email subscription, or of a new address of a subscription. */
  ConfirmationSend = 'ConfirmationSend',
  /** Tell the operators (ALERT_EMAIL, ALERT_SLACK_WEBHOOK_URL) that a source's health changed. */
  SourceHealthAlert = 'SourceHealthAlert',
  /** Train a subscriber's relevance model from their votes and seeds (debounced after each change). */
  RelevanceTrain = 'RelevanceTrain',
  /** Remove ledger rows older than RETENTION_DAYS (hourly, by the notifier's scheduler). */
  LedgerPrune = 'LedgerPrune',
  /**
   * Embed ready papers with the configured embeddings service (EMBEDDINGS_URL; at most EMBED_BATCH_SIZE) and
   * store the vectors; papers already embedded by the current model are skipped.
   */
  PapersEmbed = 'PapersEmbed',
}

export interface JobPayloads {
  [JobName.SourceFetch]: { sourceId: string; date?: string };
  [JobName.SourceLookup]: { sourceId: string; arxivIds: string[] };
  [JobName.ListingsClassify]: { listingIds: string[] };
  /** `now` (ISO-8601) lets an operator act as if the clock read that instant. */
  [JobName.DigestQueueAll]: { now?: string };
  [JobName.DigestBuild]: { digestId: string };
  [JobName.DeliverySend]: { deliveryId: string };
  /**
   * `emailRequestedAt` (ISO-8601): the confirmation of the address awaiting it (`pendingEmail`), asked for
   * then; without it, the confirmation of a pending subscription.
   */
  [JobName.ConfirmationSend]: { subscriptionId: string; emailRequestedAt?: string };
  /** The level the source changed to and when (ISO-8601, its `healthChangedAt`); the reason is read from Postgres. */
  [JobName.SourceHealthAlert]: { sourceId: string; health: 'healthy' | 'degraded' | 'failing'; changedAt: string };
  [JobName.RelevanceTrain]: { subscriptionId: string };
  /** `now` (ISO-8601): prune as if the clock read that instant. */
  [JobName.LedgerPrune]: { now?: string };
  [JobName.PapersEmbed]: { paperIds: string[] };
}

export type JobData<N extends JobName> = JobPayloads[N];

/** Listings per classify job: big enough for set-based SQL to pay, small enough to keep a job short. */
export const CLASSIFY_BATCH_SIZE = 500;

/** Listing ids cut into classify payloads, each sorted, so the same listings always make the same job. */
export function classifyBatches(listingIds: readonly string[]): JobData<JobName.ListingsClassify>[] {
  return sortedBatches(listingIds, CLASSIFY_BATCH_SIZE).map((batch) => ({ listingIds: batch }));
}

/** Papers per embed job: a few requests to the service (64 inputs each), short enough to retry whole. */
export const EMBED_BATCH_SIZE = 256;

/** Paper ids cut into embed payloads, each sorted, so the same papers always make the same job. */
export function embedBatches(paperIds: readonly string[]): JobData<JobName.PapersEmbed>[] {
  return sortedBatches(paperIds, EMBED_BATCH_SIZE).map((batch) => ({ paperIds: batch }));
}

/** Distinct ids, sorted, in slices of at most `size`: the same ids always make the same jobs (and job ids). */
function sortedBatches(ids: readonly string[], size: number): string[][] {
  const sorted = [...new Set(ids)].sort();
  const batches: string[][] = [];
  for (let start = 0; start < sorted.length; start += size) {
    batches.push(sorted.slice(start, start + size));
  }
  return batches;
}

/** What a job returns, for the jobs whose result a caller (the CLI) waits for. */
export interface JobResults {
  /** The run of the last date fetched, and every run of this job (a catch-up fetches several dates). */
  [JobName.SourceFetch]: { fetchRunId: string; fetchRunIds: string[] };
  [JobName.SourceLookup]: { fetchRunId: string; fetchRunIds: string[] };
  [JobName.DigestQueueAll]: { digestIds: string[] };
}

export const JOB_QUEUE = {
  [JobName.SourceFetch]: QueueName.Fetch,
  [JobName.SourceLookup]: QueueName.Fetch,
  [JobName.ListingsClassify]: QueueName.Classify,
  [JobName.DigestQueueAll]: QueueName.Notify,
  [JobName.DigestBuild]: QueueName.Notify,
  [JobName.DeliverySend]: QueueName.Notify,
  [JobName.ConfirmationSend]: QueueName.Notify,
  [JobName.SourceHealthAlert]: QueueName.Notify,
  // CPU work off the notifier's and api's event loops (docs/adr/0003-relevance-model.md).
  [JobName.RelevanceTrain]: QueueName.Classify,
  [JobName.LedgerPrune]: QueueName.Notify,
  [JobName.PapersEmbed]: QueueName.Embed,
} as const satisfies Record<JobName, QueueName>;

/** The job names a queue carries, as a type: what its worker must declare a handler for. */
export type JobsOf<Q extends QueueName> = { [N in JobName]: (typeof JOB_QUEUE)[N] extends Q ? N : never }[JobName];

/** The job names a queue carries: a worker proves at boot that it declares a handler for each (declared-worker.ts). */
export function jobsOf(queue: QueueName): JobName[] {
  return (Object.keys(JOB_QUEUE) as JobName[]).filter((name) => JOB_QUEUE[name] === queue);
}
