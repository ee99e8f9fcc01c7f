import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { Settings } from '@libs/config';
import { MAIL_WEBHOOK_PATHS } from '../webhooks/mail-webhooks.module';
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
        // Seed uploads and providers' webhooks read their bodies themselves (SNS posts JSON as text/plain).
        requireJsonBodies('/api/', new RegExp(`${UPLOAD_PATHS.source}|${MAIL_WEBHOOK_PATHS.source}`)),
        refuseCrossSiteForms(['/subscribe'], this.settings.PUBLIC_URL),
        checkRequestInput,
      )
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
