import { BullModule, RegisterQueueOptions } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { Settings } from '@libs/config';
import { JobProducer } from './job-producer';
import { QueueName } from './queue-contract';
import { createCluster } from './redis-client';
import { queuePrefix } from './redis-keys';

/**
 * A queue's connection and prefix; its workers take the same. On one Redis each queue connects with a URL.
 * On a cluster BullMQ needs a client instance: one per queue, disconnected when the queue shuts down (BullMQ
 * leaves a client it was given open); workers make their own copies of it.
 */
export function queueOptions(settings: Settings, name: QueueName): RegisterQueueOptions {
  const target = settings.redis;
  const prefix = queuePrefix(settings, name);
  // Workers block on Redis; BullMQ requires unlimited retries per request on their connections.
  if (target.kind === 'standalone') {
    return { prefix, connection: { url: target.url, maxRetriesPerRequest: null } };
  }
  return {
    prefix,
    connection: createCluster(target, {}, { maxRetriesPerRequest: null }),
    forceDisconnectOnShutdown: true,
  };
}

/** Redis connection, every queue of the contract, and the typed producer. Processors live in the apps. */
@Module({
  imports: [
    BullModule.registerQueueAsync(
      ...Object.values(QueueName).map((name) => ({
        name,
        inject: [Settings],
        useFactory: (settings: Settings) => queueOptions(settings, name),
      })),
    ),
  ],
  providers: [JobProducer],
  exports: [BullModule, JobProducer],
})
export class QueuesModule {}
