import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { NextFunction, Request, Response } from 'express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Settings } from '@libs/config';
import { MAX_SEED_FILE_BYTES } from '@libs/domain';
import { ApiModule } from './api.module';
import { feedFastPath } from './feeds/feed-response';
import { FORM_UPLOAD_PATHS, limitRequestBodies, nameBodyEncodingErrors, UPLOAD_PATHS } from './http/request-input';
import { apiValidationPipe } from './http/validation';
import { FeedsService } from './feeds/feeds.service';
import { MAIL_WEBHOOK_MAX_BYTES, MAIL_WEBHOOK_PATHS, mailWebhookBodies } from './webhooks/mail-webhooks.module';

/** Creates the api app with its global pipes; shared by main.ts and the tests. */
export async function createApiApp(): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { abortOnError: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.disable('x-powered-by');
  // One proxy hop: the client address is the entry that proxy appended, not one a client can forge.
  app.set('trust proxy', app.get(Settings).TRUST_PROXY ? 1 : false);
  app.use(helmet());
  app.use('/feeds', feedFastPath(app.get(FeedsService)));
  // Requests are small: a subscription is a few hundred bytes, the one-click POST a form field. Seed-paper
  // uploads (a BibTeX or Zotero export) may reach 2 MB.
  const small = limitRequestBodies(16 * 1024, '16 KB');
  const upload = limitRequestBodies(MAX_SEED_FILE_BYTES, '2 MB');
  // The subscribe and manage forms carry the file in multipart/form-data with the other fields (multer then
  // holds the file itself to 2 MB). Providers' bounce and complaint webhooks batch events (SendGrid): up to
  // 1 MB, read raw for their signatures.
  const formUpload = limitRequestBodies(MAX_SEED_FILE_BYTES + 64 * 1024, '2 MB');
  const webhook = limitRequestBodies(MAIL_WEBHOOK_MAX_BYTES, '1 MB');
  const limitFor = (path: string) =>
    UPLOAD_PATHS.test(path)
      ? upload
      : FORM_UPLOAD_PATHS.test(path)
        ? formUpload
        : MAIL_WEBHOOK_PATHS.test(path)
          ? webhook
          : small;
  app.use((req: Request, res: Response, next: NextFunction) => limitFor(req.path)(req, res, next));
  app.use(mailWebhookBodies);
  app.useBodyParser('json', { limit: '16kb' });
  app.useBodyParser('urlencoded', { limit: '4kb', extended: false });
  app.use(nameBodyEncodingErrors);
  app.useGlobalPipes(apiValidationPipe());
  const openApi = new DocumentBuilder()
    .setTitle('Paperboy API')
    .setDescription('Subscriptions, feeds and papers of a Paperboy digest service. Links carry signed tokens.')
    .setVersion('0.1')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
  app.enableShutdownHooks();
  return app;
}
