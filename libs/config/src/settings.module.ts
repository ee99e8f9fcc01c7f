import { Global, Module } from '@nestjs/common';
import { loadSettings, Settings } from './settings';

/** Validates the environment when the app boots, before anything connects. */
@Global()
@Module({
  providers: [{ provide: Settings, useFactory: (): Settings => loadSettings(process.env) }],
  exports: [Settings],
})
export class SettingsModule {}
