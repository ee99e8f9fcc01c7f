import { INestApplicationContext, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';

/**
 * Boots a worker app (no HTTP): settings are validated first, shutdown hooks let BullMQ finish the
 * active jobs on SIGTERM. A bad setting or an unreachable dependency exits with a clear message.
 */
export async function runWorker(name: string, module: Type<unknown>): Promise<INestApplicationContext> {
  const logger = new Logger(name);
  try {
    const app = await NestFactory.createApplicationContext(module, { abortOnError: false, bufferLogs: true });
    app.useLogger(app.get(PinoLogger));
    app.enableShutdownHooks();
    logger.log(`${name} is running`);
    return app;
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
