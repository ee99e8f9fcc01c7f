import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { StatsRepository } from '@libs/database';
import { JobProducer, QueueName } from '@libs/queues';

/**
 * Prometheus metrics, read from Postgres (the ledger is the truth) and from the queues at scrape time,
 * so every api replica reports the same figures and no counter is lost with a restart.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);
  private readonly scrapeOk: Gauge;
  private readonly fill: () => Promise<void>;

  constructor(stats: StatsRepository, producer: JobProducer) {
    collectDefaultMetrics({ register: this.registry, prefix: 'paperboy_api_' });
    const registers = [this.registry];
    this.scrapeOk = new Gauge({
      name: 'paperboy_scrape_ok',
      help: '1 when this scrape could read Postgres and Redis, else 0 (the other figures are then stale)',
      registers,
    });
    this.fill = async (): Promise<void> => {
      const snapshot = await stats.snapshot();
      papers.set(snapshot.papers);
      listings.reset();
      snapshot.listingsBySource.forEach((row) => listings.set({ source: row.sourceId }, row.count));
      digests.reset();
      snapshot.digestsByStatus.forEach((row) => digests.set({ status: row.status }, row.count));
      deliveries.reset();
      snapshot.deliveriesByChannelAndStatus.forEach((row) =>
        deliveries.set({ channel: row.channel, status: row.status }, row.count),
      );
      runs.reset();
      snapshot.fetchRunsBySourceAndStatus.forEach((row) =>
        runs.set({ source: row.sourceId, status: row.status }, row.count),
      );
      health.reset();
      snapshot.sources.forEach((row) => health.set({ source: row.id, health: row.health }, 1));
      jobs.reset();
      for (const name of Object.values(QueueName)) {
        const counts = await producer.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        for (const [state, count] of Object.entries(counts)) {
          jobs.set({ queue: name, state }, count);
        }
      }
    };
    const papers = new Gauge({ name: 'paperboy_papers', help: 'Ready papers', registers });
    const listings = new Gauge({
      name: 'paperboy_listings',
      help: 'Listings stored, by source',
      labelNames: ['source'],
      registers,
    });
    const digests = new Gauge({
      name: 'paperboy_digests',
      help: 'Digests, by status',
      labelNames: ['status'],
      registers,
    });
    const deliveries = new Gauge({
      name: 'paperboy_deliveries',
      help: 'Deliveries, by channel and status',
      labelNames: ['channel', 'status'],
      registers,
    });
    const runs = new Gauge({
      name: 'paperboy_fetch_runs',
      help: 'Fetch runs, by source and outcome',
      labelNames: ['source', 'status'],
      registers,
    });
    const health = new Gauge({
      name: 'paperboy_source_health',
      help: 'Source health: 1 for the current state of each source',
      labelNames: ['source', 'health'],
      registers,
    });
    const jobs = new Gauge({
      name: 'paperboy_queue_jobs',
      help: 'Queued jobs, by queue and state',
      labelNames: ['queue', 'state'],
      registers,
    });
  }

  /** Fills every gauge from one snapshot, then renders; a failed read answers with paperboy_scrape_ok 0. */
  async metrics(): Promise<string> {
    try {
      await this.fill();
      this.scrapeOk.set(1);
    } catch (error) {
      this.logger.error(`metrics scrape failed: ${error instanceof Error ? error.message : String(error)}`);
      this.scrapeOk.set(0);
    }
    return this.registry.metrics();
  }
}
