import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { MAIL_PROVIDERS, MailWebhookAnswer, MailWebhooksService } from './mail-webhooks.service';

/** Where mail providers report bounces and complaints. The body is read raw (signatures cover its bytes). */
@ApiTags('Webhooks')
@Controller('api/webhooks/mail')
export class MailWebhooksController {
  constructor(private readonly webhooks: MailWebhooksService) {}

  @Post(':provider')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A provider reports bounces or complaints',
    description:
      'Amazon SES through SNS (signed SNS messages; SubscriptionConfirmation is confirmed), Postmark (basic auth), ' +
      'SendGrid (signed event webhook) or Mailgun (HMAC signature). Each hard bounce suppresses the address; each ' +
      "complaint also unsubscribes it. Events are stored by the provider's id: a replay changes nothing.",
  })
  @ApiParam({ name: 'provider', enum: MAIL_PROVIDERS })
  @ApiBody({ description: "The provider's own payload, as it sends it", schema: { type: 'string' } })
  @ApiOkResponse({
    description: 'Taken: what the request held and did',
    schema: {
      type: 'object',
      properties: {
        provider: { type: 'string', enum: [...MAIL_PROVIDERS] },
        events: { type: 'integer' },
        recorded: { type: 'integer' },
        subscriptionsAffected: { type: 'integer' },
        ignored: { type: 'integer' },
        confirmed: { type: 'boolean' },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'The body is not what the provider sends; the message names the field' })
  @ApiUnauthorizedResponse({ description: 'The signature or credentials do not verify' })
  @ApiForbiddenResponse({ description: 'SES: the SNS topic is not in MAIL_WEBHOOK_SES_TOPIC_ARNS' })
  @ApiNotFoundResponse({ description: 'No such provider, or its settings are not set' })
  receive(@Param('provider') provider: string, @Req() req: Request): Promise<MailWebhookAnswer> {
    const body = typeof req.body === 'string' ? req.body : '';
    return this.webhooks.receive(provider, req.headers, body);
  }
}
