import { randomUUID } from 'node:crypto';
import { jobOptionsFor } from './job-options';
import { CLASSIFY_BATCH_SIZE, classifyBatches, EMBED_BATCH_SIZE, embedBatches, JobName } from './queue-contract';

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

describe(embedBatches.name, () => {
  it('should cut paper ids into sorted batches of at most the embed batch size, each id once', () => {
    const ids = Array.from({ length: EMBED_BATCH_SIZE + 3 }, () => randomUUID());
    const batches = embedBatches([...ids, ids[1]]);
    expect(batches.map((batch) => batch.paperIds.length)).toEqual([EMBED_BATCH_SIZE, 3]);
    expect(batches.flatMap((batch) => batch.paperIds)).toEqual([...ids].sort());
  });

  it('should give the same papers the same job id, retried with backoff, whatever their order', () => {
    const ids = [randomUUID(), randomUUID()];
    const options = (paperIds: string[]) => jobOptionsFor(JobName.PapersEmbed, embedBatches(paperIds)[0]);
    expect(options(ids).jobId).toBe(options([...ids].reverse()).jobId);
    expect(options(ids).jobId).toMatch(/^embed-[0-9a-f]{32}$/);
    expect(options(ids.slice(1)).jobId).not.toBe(options(ids).jobId);
    expect(options(ids)).toMatchObject({ attempts: 8, backoff: { type: 'exponential', delay: 60_000 } });
  });
});
