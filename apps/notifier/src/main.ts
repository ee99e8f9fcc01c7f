import 'reflect-metadata';
import { runWorker } from '@libs/queues/run-worker';
import { NotifierModule } from './notifier.module';

void runWorker('notifier', NotifierModule);
