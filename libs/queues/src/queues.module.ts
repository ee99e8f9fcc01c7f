import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { Settings } from '@libs/config';
import { JobProducer } from './job-producer';
import { QueueName } from './queue-contract';

/** Redis connection, every queue of the contract, and the typed producer. Processors live in the apps. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [Settings],
      useFactory: (settings: Settings) => ({
        // Workers block on Redis; BullMQ requires unlimited retries per request on their connections.
        connection: { url: settings.REDIS_URL, maxRetriesPerRequest: null },
        prefix: settings.QUEUE_PREFIX,
      }),
    }),
    BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
  ],
  providers: [JobProducer],
  exports: [BullModule, JobProducer],
})
export class QueuesModule {}
