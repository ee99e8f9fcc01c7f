import { Global, Module } from '@nestjs/common';
import { Clock, ShiftedClock, SystemClock } from '@libs/domain';
import { loadSettings, Settings } from './settings';

/** Validates the environment when the app boots, before anything connects; provides the clock. */
@Global()
@Module({
  providers: [
    { provide: Settings, useFactory: (): Settings => loadSettings(process.env) },
    {
      provide: Clock,
      useFactory: (settings: Settings): Clock =>
        settings.CLOCK_START === undefined ? new SystemClock() : new ShiftedClock(new Date(settings.CLOCK_START)),
      inject: [Settings],
    },
  ],
  exports: [Settings, Clock],
})
export class SettingsModule {}
