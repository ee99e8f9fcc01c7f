import { WorkerHost } from '@nestjs/bullmq';
import { HealthIndicatorService } from '@nestjs/terminus';
import { livenessChecks } from './health-checks';

const host = (name: string, running: boolean): WorkerHost =>
  ({ worker: { name, isRunning: () => running } }) as unknown as WorkerHost;

describe('livenessChecks', () => {
  const indicators = new HealthIndicatorService();
  const run = (workers: WorkerHost[]) => livenessChecks(indicators, workers).map((check) => check());

  it('should report the process up, and each worker when it hosts any', () => {
    expect(run([])).toEqual([{ process: { status: 'up', uptimeSeconds: expect.any(Number) } }]);
    expect(run([host('fetch', true)])[1]).toEqual({ workers: { status: 'up', queues: ['fetch'] } });
  });

  it('should report the workers down, naming the stopped ones, when one is not running', () => {
    expect(run([host('notify', true), host('classify', false)])[1]).toEqual({
      workers: { status: 'down', queues: ['notify', 'classify'], stopped: ['classify'] },
    });
  });
});
