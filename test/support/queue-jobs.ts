import { Job, Queue } from 'bullmq';

/**
 * The live job of a piece of work (`digest-<id>`, `delivery-<id>`): queued under that id, or under an id
 * of its own when the sweep or an operator queued it again (BullMQ deduplication keeps that id).
 */
export async function liveJobOf(queue: Queue, workId: string): Promise<Job | undefined> {
  const id = (await queue.getDeduplicationJobId(workId)) ?? workId;
  return queue.getJob(id);
}
