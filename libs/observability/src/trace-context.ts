import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The work a log line belongs to: a trace id that follows it across queues, and the job running now. */
export interface TraceContext {
  traceId: string;
  job?: { queue: string; name: string; id?: string };
}

const storage = new AsyncLocalStorage<TraceContext>();

// Ids come from clients and from Redis: short, printable, nothing a log reader or a header could trip on.
const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** Runs `work` (and everything it awaits or schedules) inside a trace. */
export function runWithTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

export function newTraceId(): string {
  return randomUUID();
}

/** The given id when it is a sane one, else undefined. */
export function saneTraceId(value: unknown): string | undefined {
  return typeof value === 'string' && SANE_ID.test(value) ? value : undefined;
}

/** The fields every log line made inside a trace carries (pino `mixin`). */
export function traceLogFields(): Record<string, unknown> {
  const trace = storage.getStore();
  if (!trace) {
    return {};
  }
  return trace.job ? { traceId: trace.traceId, job: trace.job } : { traceId: trace.traceId };
}
