import 'reflect-metadata';
import { runWorker } from '@libs/queues/run-worker';
import { ClassifierModule } from './classifier.module';

void runWorker('classifier', ClassifierModule);
