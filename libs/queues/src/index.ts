export * from './job-options';
export * from './job-producer';
export * from './queue-contract';
export * from './queues.module';
export * from './job-errors';
export * from './redis-client';
export * from './queue-errors';
export * from './declared-worker';
