import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { armShutdownDeadline, loadSettings } from '@libs/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const settings = loadSettings();
  const app = await createApiApp();
  armShutdownDeadline(settings.SHUTDOWN_TIMEOUT_SECONDS, 'api');
  await app.listen(settings.PORT);
  new Logger('api').log(`api listening on port ${settings.PORT} (${settings.PUBLIC_URL})`);
}

main().catch((error: unknown) => {
  new Logger('api').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
