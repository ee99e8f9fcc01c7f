import { loadSettings } from '@libs/config';
import { QueueName } from './queue-contract';
import { queueOptions } from './queues.module';
import { queuePrefix, redisKeyPrefix } from './redis-keys';

describe('redis keys', () => {
  it('should keep the names keys always had on one Redis, so an upgrade strands no job', () => {
    const settings = loadSettings({ REDIS_URL: 'redis://10.0.0.5:6379/2', QUEUE_PREFIX: 'pb' });
    expect(Object.values(QueueName).map((name) => queuePrefix(settings, name))).toEqual(['pb', 'pb', 'pb', 'pb']);
    expect(redisKeyPrefix(settings, 'pace')).toBe('pb:pace');
    expect(queueOptions(settings, QueueName.Notify)).toEqual({
      prefix: 'pb',
      connection: { url: 'redis://10.0.0.5:6379/2', maxRetriesPerRequest: null },
    });
  });

  it('should give each queue and each family of keys a hash tag of its own on a cluster', () => {
    const settings = loadSettings({ REDIS_CLUSTER_NODES: '10.0.0.5:7000', QUEUE_PREFIX: 'pb' });
    expect(Object.values(QueueName).map((name) => queuePrefix(settings, name))).toEqual([
      '{pb:fetch}',
      '{pb:classify}',
      '{pb:notify}',
      '{pb:embed}',
    ]);
    expect(['pace', 'ratelimit', 'throttle'].map((family) => redisKeyPrefix(settings, family))).toEqual([
      '{pb:pace}',
      '{pb:ratelimit}',
      '{pb:throttle}',
    ]);
  });
});
