import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { Settings } from '@libs/config';
import { checkRequestInput, refuseCrossSiteForms, requireJsonBodies, UPLOAD_PATHS } from './request-input';

/**
 * The request checks that can wait for the body parsers, as Nest middleware: imported after LoggingModule, so a
 * refused request is logged like any other, and its exception meets the app's exception filters. The body size
 * limit cannot wait: it is express middleware in bootstrap.ts, ahead of the parsers.
 */
@Module({})
export class RequestInputModule implements NestModule {
  constructor(private readonly settings: Settings) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(
        requireJsonBodies('/api/', UPLOAD_PATHS),
        refuseCrossSiteForms(['/subscribe'], this.settings.PUBLIC_URL),
        checkRequestInput,
      )
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
