import { Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { text } from 'express';
import { DatabaseModule } from '@libs/database';
import { MailWebhooksController } from './mail-webhooks.controller';
import { MailWebhooksService } from './mail-webhooks.service';
import { SnsClient } from './sns-client';
import { WebhookTokens } from './webhook-tokens';

/** The webhook routes: their bodies are taken raw (as text), up to this size (SendGrid batches events). */
// A trailing slash too: the router takes it, and a body read as JSON there would fail its signature.
export const MAIL_WEBHOOK_PATHS = /^\/api\/webhooks\/mail\/[^/]+\/?$/;
export const MAIL_WEBHOOK_MAX_BYTES = 1024 * 1024;

const rawText = text({ type: () => true, limit: MAIL_WEBHOOK_MAX_BYTES });

/** Reads webhook bodies as text before the JSON parser could: signatures cover the exact bytes sent. */
export function mailWebhookBodies(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'POST' && MAIL_WEBHOOK_PATHS.test(req.path)) {
    rawText(req, res, next);
    return;
  }
  next();
}

@Module({
  imports: [DatabaseModule],
  controllers: [MailWebhooksController],
  providers: [MailWebhooksService, SnsClient, WebhookTokens],
})
export class MailWebhooksModule {}
