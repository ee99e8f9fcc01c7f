import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpException,
  HttpStatus,
  Ip,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SubscriberPages } from '../pages/pages';
import { CreateSubscriptionDto, UpdateSubscriptionDto } from './dto/create-subscription.dto';
import { SubscribeRateLimiter } from './subscribe-rate-limiter';
import {
  CreatedSubscription,
  InvalidSubscriptionError,
  SubscriptionsService,
  RenewedLinks,
  SubscriptionView,
  TooManyRequestsError,
  TooManyRevocationsError,
} from './subscriptions.service';

@ApiTags('Subscriptions')
@Controller()
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly limiter: SubscribeRateLimiter,
    private readonly pages: SubscriberPages,
  ) {}

  @Post('api/subscriptions')
  @HttpCode(202)
  async create(
    @Body() dto: CreateSubscriptionDto,
    @Ip() clientIp: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CreatedSubscription> {
    const retryAfter = await this.limiter.admitClient(clientIp);
    if (retryAfter !== null) {
      res.setHeader('retry-after', String(retryAfter));
      throw new HttpException(
        'Too many subscription requests from this address; try again later',
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    try {
      return await this.subscriptions.create(dto);
    } catch (error) {
      if (error instanceof InvalidSubscriptionError) {
        throw new BadRequestException(error.message);
      }
      throw error;
    }
  }

  /** The manage link's API: the signed token (purpose "manage") is the only credential. */
  @Get('api/subscriptions/:id')
  async read(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
  ): Promise<SubscriptionView> {
    return found(typeof token === 'string' ? await this.subscriptions.get(id, token) : null);
  }

  /** A new `email` counts against the client's subscribe limit (429 with Retry-After past it). */
  @Patch('api/subscriptions/:id')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
    @Body() changes: UpdateSubscriptionDto,
    @Ip() clientIp: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubscriptionView> {
    try {
      return found(typeof token === 'string' ? await this.subscriptions.update(id, token, changes, clientIp) : null);
    } catch (error) {
      if (error instanceof InvalidSubscriptionError) {
        throw new BadRequestException(error.message);
      }
      if (error instanceof TooManyRequestsError) {
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        throw new HttpException(error.message, HttpStatus.TOO_MANY_REQUESTS);
      }
      throw error;
    }
  }

  /**
   * "Revoke all earlier links": the manage, feed and digest-view links sent so far stop working (this one
   * too); the answer holds the new ones. Unsubscribe links keep working.
   */
  @Post('api/subscriptions/:id/revoke-links')
  @HttpCode(200)
  async revokeLinks(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
  ): Promise<RenewedLinks> {
    try {
      return found(typeof token === 'string' ? await this.subscriptions.revokeLinks(id, token) : null);
    } catch (error) {
      throw error instanceof TooManyRevocationsError ? new ConflictException(error.message) : error;
    }
  }

  /**
   * Unsubscribes at once through the manage token (idempotent); the ledger, votes, seeds and model stay for a
   * re-subscribe. `erase=true` ("delete my data") deletes the subscription and everything of it instead:
   * votes, seeds, model, digests, their deliveries and the ledger (docs/relevance.md); its links stop working.
   */
  @Delete('api/subscriptions/:id')
  @HttpCode(204)
  @ApiQuery({
    name: 'erase',
    required: false,
    enum: ['true', 'false'],
    description: 'Delete every record of the subscriber',
  })
  async remove(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
    @Query('erase') erase: unknown,
  ): Promise<void> {
    if (erase !== undefined && erase !== 'true' && erase !== 'false') {
      throw new BadRequestException(['erase must be true or false']);
    }
    const done = typeof token === 'string' && (await this.subscriptions.cancel(id, token, undefined, erase === 'true'));
    found(done ? true : null);
  }

  @Get('subscriptions/confirm')
  @Header('content-type', 'text/html; charset=utf-8')
  async confirm(@Query('token') token: string | undefined, @Res() res: Response): Promise<void> {
    const outcome =
      typeof token === 'string' ? await this.subscriptions.confirm(token) : { status: 'invalid' as const };
    switch (outcome.status) {
      case 'confirmed':
        res.status(200).send(this.pages.confirmed(outcome.feeds, outcome.manage));
        return;
      case 'unsubscribed':
        res.status(200).send(this.pages.cancelled());
        return;
      case 'invalid':
        res.status(404).send(this.pages.invalidLink());
    }
  }

  /** The link sent to a new address of a subscription (PATCH email): makes it the subscription's address. */
  @Get('subscriptions/confirm-email')
  @Header('content-type', 'text/html; charset=utf-8')
  async confirmEmail(@Query('token') token: string | undefined, @Res() res: Response): Promise<void> {
    const outcome =
      typeof token === 'string' ? await this.subscriptions.confirmEmail(token) : { status: 'invalid' as const };
    if (outcome.status === 'confirmed') {
      res.status(200).send(this.pages.emailConfirmed(outcome.feeds, outcome.manage));
      return;
    }
    if (outcome.status === 'waiting') {
      res.status(200).send(this.pages.emailChangeWaiting(outcome.waitingFor));
      return;
    }
    if (outcome.status === 'approved') {
      res.status(200).send(this.pages.emailChangeApproved());
      return;
    }
    res.status(404).send(this.pages.invalidLink());
  }

  @Get('unsubscribe')
  @Header('content-type', 'text/html; charset=utf-8')
  async unsubscribePage(@Query('token') token: string | undefined, @Res() res: Response): Promise<void> {
    const link = typeof token === 'string' ? await this.subscriptions.unsubscribeLink(token) : null;
    res.status(link ? 200 : 404).send(link ? this.pages.unsubscribeForm(link.canErase) : this.pages.invalidLink());
  }

  /**
   * RFC 8058 one-click: the token comes from the URL only, never the body; no redirect. The page's "delete my
   * data" button adds `erase=true` to the body: the subscription and everything of it are deleted instead.
   */
  @Post('unsubscribe')
  @Header('content-type', 'text/html; charset=utf-8')
  async unsubscribe(
    @Query('token') token: string | undefined,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const erase = typeof body === 'object' && body !== null && (body as Record<string, unknown>).erase === 'true';
    const outcome =
      typeof token === 'string' ? await this.subscriptions.unsubscribe(token, undefined, erase) : 'invalid';
    const answers = {
      unsubscribed: () => res.status(200).send(this.pages.unsubscribed()),
      erased: () => res.status(200).send(this.pages.erased()),
      revoked: () => res.status(403).send(this.pages.eraseRevoked()),
      invalid: () => res.status(404).send(this.pages.invalidLink()),
    };
    answers[outcome]();
  }
}

function found<T>(value: T | null): T {
  if (value === null) {
    throw new NotFoundException('No such subscription, or the link is not valid');
  }
  return value;
}
