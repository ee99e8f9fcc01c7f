import { Logger } from '@nestjs/common';

/**
 * Bounds a graceful shutdown. Nest's shutdown hooks close the BullMQ workers, and `worker.close()` waits
 * for the active jobs with no timeout of its own: a send stuck on a slow relay would hold the process
 * until the orchestrator's SIGKILL. Armed by the first SIGTERM or SIGINT, this exits the process (code 1)
 * `seconds` later if the shutdown has not finished; an unfinished job is stalled and retried elsewhere.
 * Listeners are `once`: Nest re-raises the signal after its own cleanup, which must then end the process.
 */
export function armShutdownDeadline(seconds: number, name: string): void {
  const arm = (signal: NodeJS.Signals): void => {
    const timer = setTimeout(() => {
      new Logger(name).error(`Shutdown after ${signal} did not finish within ${seconds} s (SHUTDOWN_TIMEOUT_SECONDS); exiting`);
      process.exit(1);
    }, seconds * 1000);
    timer.unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
