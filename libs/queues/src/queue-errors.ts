import { Logger } from '@nestjs/common';

/**
 * Turns a queue's or worker's 'error' events into one log line per condition. Without a listener
 * BullMQ prints each error's raw stack to stderr (an outage gives one per reconnect attempt and one per
 * job whose keys Redis lost); a plain listener would still log each of them.
 */
export class QueueErrorReporter {
  private readonly logger: Logger;
  private current: string | null = null;
  private repeats = 0;

  constructor(what: string) {
    this.logger = new Logger(what);
  }

  /** Attaches to anything that emits 'error' (a BullMQ Queue or Worker). */
  watch(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }): void {
    emitter.on('error', (error) => this.report(error));
  }

  report(error: Error): void {
    const condition = conditionOf(error);
    if (condition === this.current) {
      this.repeats += 1;
      return;
    }
    if (this.repeats > 0) {
      this.logger.warn(`${this.current} (repeated ${this.repeats} more times)`);
    }
    this.current = condition;
    this.repeats = 0;
    this.logger.warn(condition);
  }
}

/** What went wrong, without the parts that differ per job or attempt (ids, addresses of the moment). */
export function conditionOf(error: Error): string {
  // BullMQ's script errors carry numeric codes (-1: a missing key) that say nothing the message does not.
  const code = (error as { code?: unknown }).code;
  const message = error.message
    .replace(/Missing key for job \S+/, 'Missing key for job')
    .replace(/ job [0-9a-z:-]+/gi, ' job');
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
