import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliLogger } from './cli-logger';
import { CliModule } from './cli.module';

/** `npm run cli -- <command>`: operator commands against the running services. */
async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    logger: new CliLogger(),
    errorHandler: (error) => fail(error),
    serviceErrorHandler: (error) => fail(error),
  });
}

function fail(error: Error): never {
  // Commander reports --help and usage mistakes as errors that carry their own exit code.
  const exitCode = (error as { exitCode?: number }).exitCode;
  if (exitCode === 0) {
    process.exit(0);
  }
  if (!(error as { code?: string }).code?.startsWith('commander.')) {
    console.error(`Error: ${error.message}`);
  }
  process.exit(exitCode ?? 1);
}

main().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
