import { Test, TestingModule } from '@nestjs/testing';
import { Job, Queue } from 'bullmq';
import { DataSource, Repository } from 'typeorm';
import { Settings, SettingsModule } from '@libs/config';
import {
  DatabaseModule,
  FetchRunEntity,
  ListingEntity,
  SourceDefinition,
  SourceEntity,
  SourceRepository,
} from '@libs/database';
import { HttpModule } from '@libs/http';
import { JobData, JobName, JobProducer, QueueName, QueuesModule } from '@libs/queues';
import { FETCH_PROVIDERS } from '../../apps/fetcher/src/fetcher.module';
import { SourceFetcherService } from '../../apps/fetcher/src/source-fetcher.service';

type ClassifyJob = Job<JobData<JobName.ListingsClassify>>;

/**
 * One Nest context of the fetcher's real modules (no scheduler, no processor) on the database and queue
 * prefix in the environment, and what the tests read back.
 */
export interface FetcherContext {
  app: TestingModule;
  fetcher: SourceFetcherService;
  sourceRepository: SourceRepository;
  classify: Queue;
  runs: Repository<FetchRunEntity>;
  listings: Repository<ListingEntity>;
  sources: Repository<SourceEntity>;
  listingsOf(sourceId: string): Promise<ListingEntity[]>;
  runsOf(sourceId: string): Promise<FetchRunEntity[]>;
  source(sourceId: string): Promise<SourceEntity>;
  /** The source's listings that queued classify jobs carry, each once (a job carries a batch of listings). */
  queuedListingsOf(sourceId: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function createFetcherContext(sources: SourceDefinition[]): Promise<FetcherContext> {
  const app = await Test.createTestingModule({
    imports: [
      SettingsModule,
      DatabaseModule,
      QueuesModule,
      HttpModule.registerAsync({
        inject: [Settings],
        useFactory: (settings) => ({
          allowPrivateTargets: (settings as Settings).ALLOW_PRIVATE_TARGETS,
          userAgent: 'Paperboy/test',
        }),
      }),
    ],
    providers: FETCH_PROVIDERS,
  }).compile();
  app.useLogger(false);
  await app.init();
  const sourceRepository = app.get(SourceRepository);
  await sourceRepository.syncFromFile(sources);
  const dataSource = app.get(DataSource);
  const runs = dataSource.getRepository(FetchRunEntity);
  const listings = dataSource.getRepository(ListingEntity);
  const sourceEntities = dataSource.getRepository(SourceEntity);
  const classify = app.get(JobProducer).queue(QueueName.Classify);
  const listingsOf = (sourceId: string): Promise<ListingEntity[]> =>
    listings.find({ where: { sourceId }, order: { externalId: 'ASC' } });
  return {
    app,
    fetcher: app.get(SourceFetcherService),
    sourceRepository,
    classify,
    runs,
    listings,
    sources: sourceEntities,
    listingsOf,
    runsOf: (sourceId) =>
      runs.find({ where: { sourceId }, order: { startedAt: 'ASC', finishedAt: 'ASC', listingDate: 'ASC' } }),
    source: (sourceId) => sourceEntities.findOneByOrFail({ id: sourceId }),
    queuedListingsOf: async (sourceId) => {
      const ids = new Set((await listingsOf(sourceId)).map((listing) => listing.id));
      const jobs = (await classify.getJobs(['waiting', 'delayed', 'prioritized'])) as ClassifyJob[];
      return [...new Set(jobs.flatMap((job) => job.data.listingIds))].filter((id) => ids.has(id));
    },
    close: () => app.close(),
  };
}

/** The error a promise rejects with (a test fails if it resolves or rejects with a non-Error). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) {
      return error;
    }
    throw new Error(`expected an Error, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the promise to reject');
}

/** Sets environment variables for a test file and puts the old values back afterwards. */
export class TestEnv {
  private readonly saved: Record<string, string | undefined> = {};

  set(values: Record<string, string>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in this.saved)) {
        this.saved[key] = process.env[key];
      }
      process.env[key] = value;
    }
  }

  restore(): void {
    for (const [key, value] of Object.entries(this.saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  }
}
