import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { armShutdownDeadline, Settings } from '@libs/config';
import { WorkerHealthModule } from './worker-health.module';

/**
 * Boots a worker app: settings are validated first, shutdown hooks let BullMQ finish the active jobs
 * on SIGTERM. A bad setting or an unreachable dependency exits with a clear message.
 *
 * It is a Nest HTTP app (not a bare application context) so that, with HEALTH_PORT set, it serves
 * /health/live, /health/ready and /metrics with the api's own Terminus checks, logging and shutdown;
 * with HEALTH_PORT 0 (the default) it listens on nothing, as before.
 */
export async function runWorker(name: string, module: Type<unknown>): Promise<INestApplication> {
  const logger = new Logger(name);
  try {
    const app = await NestFactory.create(WorkerHealthModule.wrap(name, module), {
      abortOnError: false,
      bufferLogs: true,
    });
    app.useLogger(app.get(PinoLogger));
    app.enableShutdownHooks();
    const settings = app.get(Settings);
    armShutdownDeadline(settings.SHUTDOWN_TIMEOUT_SECONDS, name);
    const port = settings.HEALTH_PORT;
    if (port > 0) {
      await app.listen(port);
      logger.log(`${name} is running; health and metrics on port ${port}`);
    } else {
      await app.init();
      logger.log(`${name} is running`);
    }
    return app;
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
