import 'reflect-metadata';
import { runWorker } from '@libs/queues/run-worker';
import { FetcherModule } from './fetcher.module';

void runWorker('fetcher', FetcherModule);
