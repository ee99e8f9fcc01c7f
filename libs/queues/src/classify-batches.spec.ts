import { randomUUID } from 'node:crypto';
import { jobOptionsFor } from './job-options';
import { CLASSIFY_BATCH_SIZE, classifyBatches, JobName } from './queue-contract';

describe(classifyBatches.name, () => {
  it('should cut listing ids into sorted batches of at most the batch size, each id once', () => {
    const ids = Array.from({ length: CLASSIFY_BATCH_SIZE * 2 + 1 }, () => randomUUID());
    const batches = classifyBatches([...ids, ids[0]]);
    expect(batches.map((batch) => batch.listingIds.length)).toEqual([CLASSIFY_BATCH_SIZE, CLASSIFY_BATCH_SIZE, 1]);
    expect(batches.flatMap((batch) => batch.listingIds)).toEqual([...ids].sort());
    expect(classifyBatches([])).toEqual([]);
  });

  it('should give the same listings the same job id, whatever their order, and other listings another', () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const idOf = (listingIds: string[]): string | undefined =>
      jobOptionsFor(JobName.ListingsClassify, classifyBatches(listingIds)[0]).jobId;
    expect(idOf(ids)).toBe(idOf([...ids].reverse()));
    expect(idOf(ids)).toMatch(/^listings-[0-9a-f]{32}$/);
    expect(idOf(ids.slice(1))).not.toBe(idOf(ids));
  });
});
