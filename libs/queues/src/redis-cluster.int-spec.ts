import { once } from 'node:events';
import { Job, Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { loadSettings, Settings } from '@libs/config';
import { cleanUp } from '../../../test/support/processes';
import { LocalRedisCluster, startRedisCluster } from '../../../test/support/redis-cluster';
import { JobProducer } from './job-producer';
import { JobName, QueueName } from './queue-contract';
import { queueOptions } from './queues.module';
import { createRedisClient, RedisClient } from './redis-client';
import { queuePrefix, redisKeyPrefix } from './redis-keys';

/**
 * Paperboy's queues and keys on a real Redis Cluster (three masters, three replicas of Debian's redis-server on
 * loopback, the test's own): the production prefix, so the placement asserted is the one deployments get.
 */
describe('queues on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let settings: Settings;
  let queues: Record<QueueName, Queue>;
  let producer: JobProducer;
  const clients: (RedisClient | Cluster)[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 2000 });
    settings = loadSettings({ REDIS_URL: cluster.url });
    const queue = (name: QueueName): Queue => {
      const { connection, prefix } = queueOptions(settings, name);
      return new Queue(name, { connection: connection as Cluster, prefix });
    };
    queues = {
      [QueueName.Fetch]: queue(QueueName.Fetch),
      [QueueName.Classify]: queue(QueueName.Classify),
      [QueueName.Notify]: queue(QueueName.Notify),
      [QueueName.Embed]: queue(QueueName.Embed),
    };
    producer = new JobProducer(
      queues[QueueName.Fetch],
      queues[QueueName.Classify],
      queues[QueueName.Notify],
      queues[QueueName.Embed],
    );
  }, 60_000);

  afterAll(() =>
    cleanUp(
      ...Object.values(queues ?? {}).flatMap((queue) => [() => queue.close(), () => queue.disconnect()]),
      () => clients.forEach((client) => client.disconnect()),
      () => cluster?.stop(),
    ),
  );

  it('should refuse a queue without a hash tag, which is why each queue family has one', async () => {
    const untagged = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      {
        redisOptions: { maxRetriesPerRequest: null },
      },
    );
    clients.push(untagged);
    const queue = new Queue('notify', { connection: untagged, prefix: 'paperboy' });
    try {
      await expect(queue.add('x', {})).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await queue.close();
    }
  });

  it('should keep each queue in one slot and spread the three busy queues over the three masters', async () => {
    expect(Object.values(QueueName).map((name) => queuePrefix(settings, name))).toEqual([
      '{paperboy:fetch}',
      '{paperboy:classify}',
      '{paperboy:notify}',
      '{paperboy:embed}',
    ]);
    const masters = await Promise.all(Object.values(QueueName).map((name) => cluster.masterOf(`{paperboy:${name}}`)));
    // fetch, classify and notify each on a master of its own; the optional embed queue shares one.
    expect(new Set(masters.slice(0, 3).map((node) => node.port)).size).toBe(3);

    // A round trip on each queue: added by the producer, processed by a worker on a copy of the queue's client.
    const seen: string[] = [];
    const workers = Object.values(QueueName).map(
      (name) =>
        new Worker(name, async (job: Job) => void seen.push(`${name}:${job.name}`), {
          connection: queues[name].opts.connection,
          prefix: queuePrefix(settings, name),
        }),
    );
    // Each worker gets one job: its first 'completed' event is its share done.
    const completed = Promise.all(workers.map((worker) => once(worker, 'completed')));
    try {
      await producer.enqueue(JobName.SourceFetch, { sourceId: 'hf-daily' });
      await producer.enqueue(JobName.ListingsClassify, { listingIds: ['a', 'b'] });
      await producer.enqueue(JobName.DigestBuild, { digestId: 'digest-1' });
      await producer.enqueue(JobName.PapersEmbed, { paperIds: ['p'] });
      await completed;
      expect(seen.sort()).toEqual([
        'classify:ListingsClassify',
        'embed:PapersEmbed',
        'fetch:SourceFetch',
        'notify:DigestBuild',
      ]);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
    // Every key of a queue is on its master (one slot), none on another.
    for (const [index, name] of Object.values(QueueName).entries()) {
      const keysOn = async (port: number): Promise<string[]> => {
        const node = createRedisClient(`redis://127.0.0.1:${port}`, 'probe');
        try {
          return await node.keys(`{paperboy:${name}}:*`);
        } finally {
          node.disconnect();
        }
      };
      expect((await keysOn(masters[index].port)).length).toBeGreaterThan(0);
      for (const other of masters.filter((node) => node.port !== masters[index].port)) {
        expect(await keysOn(other.port)).toEqual([]);
      }
    }
  });

  it('should name every job before adding it, so the same work added twice is one job', async () => {
    const first = await producer.enqueue(JobName.DeliverySend, { deliveryId: 'delivery-1' });
    const again = await producer.enqueue(JobName.DeliverySend, { deliveryId: 'delivery-1' });
    expect(again.id).toBe(first.id);
    expect(
      await queues[QueueName.Notify].getJobCountByTypes('waiting', 'delayed', 'prioritized'),
    ).toBeGreaterThanOrEqual(1);
    const train = await producer.enqueue(JobName.RelevanceTrain, { subscriptionId: 'sub-1' });
    const tick = await producer.enqueue(JobName.DigestQueueAll, {});
    // BullMQ's own ids are numbers from a counter in Redis: a resent add would make a second job.
    for (const job of [first, train, tick]) {
      expect(job.id).not.toMatch(/^\d+$/);
    }
  });

  it('should run a script over several keys of one family, and refuse keys of two families together', async () => {
    const client = createRedisClient(settings.redis, 'keys');
    clients.push(client);
    const pace = redisKeyPrefix(settings, 'pace');
    expect(pace).toBe('{paperboy:pace}');
    await expect(client.mset(`${pace}:a`, '1', `${pace}:b`, '2')).resolves.toBe('OK');
    await expect(client.mset(`${pace}:a`, '1', `${redisKeyPrefix(settings, 'ratelimit')}:b`, '2')).rejects.toThrow(
      /CROSSSLOT/,
    );
  });

  it('should keep every add made after a failover, and make one job of work added again', async () => {
    const master = await cluster.masterOf('{paperboy:notify}');
    const total = 400;
    const failures: string[] = [];
    let added = 0;
    let addedAtKill = -1;
    // Four producers in a row of adds; the master dies a quarter of the way.
    const producing = Array.from({ length: 4 }, async (_, lane) => {
      for (let i = lane; i < total; i += 4) {
        if (addedAtKill < 0 && added >= total / 4) {
          addedAtKill = added;
          await cluster.kill(master);
        }
        try {
          await producer.enqueue(JobName.DeliverySend, { deliveryId: `failover-${i}` }, { delay: 3_600_000 });
          added++;
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    });
    await Promise.all(producing);
    expect(addedAtKill).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    const promoted = await cluster.waitForMasterOf('{paperboy:notify}');
    expect(promoted.port).not.toBe(master.port);
    const failoverIds = async (): Promise<string[]> =>
      (await queues[QueueName.Notify].getDelayed(0, -1))
        .map((job) => job.id ?? '')
        .filter((id) => id.startsWith('delivery-failover-'));

    // Replication is asynchronous: adds the old master acknowledged but had not passed to its replica can be
    // gone (at most those acknowledged before the kill, and the ones in flight). None is doubled, and every
    // add made after the kill is there.
    const kept = await failoverIds();
    expect(new Set(kept).size).toBe(kept.length);
    expect(kept.length).toBeGreaterThanOrEqual(total - addedAtKill - 4);

    // Postgres, not Redis, is the truth: the sweep queues what it still owes again. The same ids make one
    // job each, whatever survived.
    for (let i = 0; i < total; i++) {
      await producer.enqueue(JobName.DeliverySend, { deliveryId: `failover-${i}` }, { delay: 3_600_000 });
    }
    const all = await failoverIds();
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
  }, 90_000);
});
