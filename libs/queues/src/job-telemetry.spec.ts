import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { PermanentError, RetryLaterError } from '@libs/domain';
import { currentTrace, jobDuration, runWithTrace } from '@libs/observability';
import { runJob } from './job-errors';
import { traceIdOf, withTrace } from './job-telemetry';

const fakeJob = (name: string, metadata?: string, attempts = 3): Job & { moveToDelayed: jest.Mock } =>
  ({
    queueName: 'unit-queue',
    name,
    id: `${name}-1`,
    opts: { attempts, telemetry: metadata === undefined ? undefined : { metadata } },
    moveToDelayed: jest.fn().mockResolvedValue(undefined),
  }) as unknown as Job & { moveToDelayed: jest.Mock };

const countOf = async (name: string, outcome: string): Promise<number> =>
  (await jobDuration.get()).values.find(
    (value) =>
      value.metricName === 'paperboy_job_duration_seconds_count' &&
      value.labels.queue === 'unit-queue' &&
      value.labels.name === name &&
      value.labels.outcome === outcome,
  )?.value ?? 0;

describe('job telemetry', () => {
  it('should put the current trace id in the options of a job queued inside a trace, and nothing outside one', () => {
    const options = { attempts: 3, jobId: 'x' };
    expect(withTrace(options)).toBe(options);
    expect(runWithTrace({ traceId: 'req-42' }, () => withTrace(options))).toEqual({
      attempts: 3,
      jobId: 'x',
      telemetry: { metadata: 'req-42' },
    });
  });

  it('should run a job inside the trace it was queued in, naming the job, or a new trace when it has none or a bad one', async () => {
    const seen = await runJob(fakeJob('Traced', 'fetch-trace-1'), 'token', () => Promise.resolve(currentTrace()));
    expect(seen).toEqual({ traceId: 'fetch-trace-1', job: { queue: 'unit-queue', name: 'Traced', id: 'Traced-1' } });
    expect(traceIdOf(fakeJob('Untraced'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(traceIdOf(fakeJob('Bad', 'a b\nc'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(currentTrace()).toBeUndefined();
  });

  it('should record each outcome: completed, failed (retried), unrecoverable (permanent), delayed (rate limit)', async () => {
    await runJob(fakeJob('Ok'), 'token', () => Promise.resolve('done'));
    expect(await countOf('Ok', 'completed')).toBe(1);

    await expect(runJob(fakeJob('Flaky'), 'token', () => Promise.reject(new Error('timeout')))).rejects.toThrow(
      'timeout',
    );
    expect(await countOf('Flaky', 'failed')).toBe(1);

    const permanent = runJob(fakeJob('Gone'), 'token', () => Promise.reject(new PermanentError('410 Gone')));
    await expect(permanent).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await countOf('Gone', 'unrecoverable')).toBe(1);

    const limited = fakeJob('Limited');
    await expect(
      runJob(limited, 'token', () => Promise.reject(new RetryLaterError(5000, '429'))),
    ).rejects.toBeInstanceOf(DelayedError);
    expect(limited.moveToDelayed).toHaveBeenCalledTimes(1);
    expect(await countOf('Limited', 'delayed')).toBe(1);
    expect(await countOf('Limited', 'failed')).toBe(0);
  });
});
