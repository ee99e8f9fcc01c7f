import { Body, Controller, Get, Ip, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Settings } from '@libs/config';
import { Clock, MAX_SEED_FILE_BYTES, normaliseEmail, unsubscribeUrl } from '@libs/domain';
import {
  CreateSubscriptionDto,
  SubscriptionPreferencesDto,
  UpdateSubscriptionDto,
} from '../subscriptions/dto/create-subscription.dto';
import { SubscribeRateLimiter } from '../subscriptions/subscribe-rate-limiter';
import {
  InvalidSubscriptionError,
  RenewedLinks,
  SubscriptionsService,
  SubscriptionView,
  TooManyRequestsError,
  TooManyRevocationsError,
} from '../subscriptions/subscriptions.service';
import {
  DEFAULT_FORM,
  FieldErrors,
  FormValues,
  formToBody,
  isTopicSlug,
  readForm,
  readSeeds,
  UploadedSeedFile,
  validateBody,
} from './web-forms';
import { bodyInputProblem } from '../http/request-input';
import { SubscriberPages } from '../pages/pages';
import { badLinkPage, badRequestPage, messagePage, Site } from './web-pages';
import { WebPapersService } from './web-papers.service';
import { checkInboxPage, managePage, SeedsOutcome, subscribePage, subscribedPage } from './web-subscription-pages';

/**
 * The forms that take seed papers post multipart/form-data (a library file); multer reads it, in memory, up to
 * the seed file limit (a larger file answers 413). Urlencoded posts pass through untouched.
 */
const SeedUpload = (): MethodDecorator =>
  UseInterceptors(FileInterceptor('seedFile', { limits: { fileSize: MAX_SEED_FILE_BYTES, files: 1, fields: 200 } }));

/**
 * The subscribe and manage forms. Bodies are taken raw (the global ValidationPipe skips untyped bodies) and
 * validated here with the API's DTOs, so a refused form is shown again with each message by its field instead
 * of a JSON 400.
 */
@ApiTags('Web pages')
@Controller()
export class WebSubscriptionsController {
  private readonly site: Site;

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionsService,
    private readonly limiter: SubscribeRateLimiter,
    private readonly web: WebPapersService,
    private readonly clock: Clock,
    private readonly pages: SubscriberPages,
  ) {
    this.site = web.site;
  }

  @Get('subscribe')
  form(@Query('topic') topic: unknown, @Res() res: Response): void {
    // A topic page links here with its topic ticked.
    const values = { ...DEFAULT_FORM, topics: isTopicSlug(topic) ? [topic as string] : [] };
    this.html(res, 200, subscribePage(this.site, { values, errors: {}, guessTimezone: true }));
  }

  /** Subscribes, or (the form's "Preview" button: intent=preview) shows what today's digest would have held. */
  @Post('subscribe')
  @SeedUpload()
  async subscribe(
    @Body() body: unknown,
    @UploadedFile() file: UploadedSeedFile | undefined,
    @Ip() clientIp: string,
    @Res() res: Response,
  ): Promise<void> {
    if (this.refusedInput(res, body)) {
      return;
    }
    const values = readForm(body);
    if (isPreview(body)) {
      await this.preview(res, values);
      return;
    }
    const { value, errors } = await validateBody(CreateSubscriptionDto, formToBody(values, true));
    // A file that cannot be read is refused whole, before anything is stored (named by its line or entry).
    const seeds = readSeeds(values.seedPapers, file);
    if (seeds.error !== null) {
      errors.seedPapers = [seeds.error];
    }
    if (Object.keys(errors).length > 0) {
      this.html(res, 400, subscribePage(this.site, { values, errors }));
      return;
    }
    // Counted like POST /api/subscriptions: only requests that could subscribe.
    const retryAfter = await this.limiter.admitClient(clientIp);
    if (retryAfter !== null) {
      res.setHeader('retry-after', String(retryAfter));
      this.html(
        res,
        429,
        messagePage(this.site, 'Too many requests', [
          'Too many subscription requests from this address; try again later.',
        ]),
      );
      return;
    }
    try {
      const created = await this.subscriptions.create(value, undefined, seeds.entries);
      if (created.status === 'pending') {
        this.html(res, 200, checkInboxPage(this.site, created.message, created.seeds));
        return;
      }
      const token = new URL(created.manageUrl).searchParams.get('token') ?? '';
      this.html(
        res,
        200,
        subscribedPage(this.site, { manage: this.manageUrl(created.id, token), feeds: created.feeds }, created.seeds),
      );
    } catch (error) {
      if (!(error instanceof InvalidSubscriptionError)) {
        throw error;
      }
      this.html(res, 400, subscribePage(this.site, { values, errors: { slackWebhookUrl: [error.message] } }));
    }
  }

  /** Only the preferences are checked: a preview needs no address, and saves and sends nothing. */
  private async preview(res: Response, values: FormValues): Promise<void> {
    const { value, errors } = await validateBody(SubscriptionPreferencesDto, formToBody(values, false));
    if (Object.keys(errors).length > 0) {
      this.html(res, 400, subscribePage(this.site, { values, errors }));
      return;
    }
    const preview = await this.web.preview(value, this.clock.now());
    this.html(res, 200, subscribePage(this.site, { values, errors: {}, preview }));
  }

  /** The manage page behind the signed link (token purpose "manage") of every digest. */
  @Get('manage')
  async manage(@Query('id') id: unknown, @Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const subscription = await this.managed(id, token);
    if (!subscription) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    this.renderManage(res, 200, subscription, token as string, valuesOf(subscription), {}, false);
  }

  @Post('manage')
  @SeedUpload()
  async update(
    @Query('id') id: unknown,
    @Query('token') token: unknown,
    @Body() body: unknown,
    @UploadedFile() file: UploadedSeedFile | undefined,
    @Ip() clientIp: string,
    @Res() res: Response,
  ): Promise<void> {
    const subscription = await this.managed(id, token);
    if (!subscription) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    if (this.refusedInput(res, body)) {
      return;
    }
    if (intentOf(body) === 'revoke-links') {
      await this.revokeLinks(res, subscription.id, token as string);
      return;
    }
    if (intentOf(body) === 'erase') {
      await this.subscriptions.cancel(subscription.id, token as string, undefined, true);
      this.html(res, 200, this.pages.erased());
      return;
    }
    const values = readForm(body);
    if (intentOf(body) === 'seeds') {
      await this.addSeeds(res, subscription, token as string, values, file, clientIp);
      return;
    }
    if (intentOf(body) === 'channels') {
      await this.updateChannels(res, subscription, token as string, values, body as Record<string, unknown>, clientIp);
      return;
    }
    const { value, errors } = await validateBody(SubscriptionPreferencesDto, formToBody(values, false));
    if (Object.keys(errors).length > 0) {
      this.renderManage(res, 400, subscription, token as string, { ...values, email: valuesOf(subscription).email }, errors, false);
      return;
    }
    const updated = await this.subscriptions.update(subscription.id, token as string, value, clientIp);
    if (!updated) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    this.renderManage(res, 200, updated, token as string, valuesOf(updated), {}, true);
  }

  /**
   * The manage page's channel form (intent=channels): the address shown is the one in use or awaiting
   * confirmation, so leaving it as it is changes nothing; emptied, it stops email. An empty webhook field
   * keeps the webhook (it is never shown: it is a credential); "removeSlack" stops Slack.
   */
  private async updateChannels(
    res: Response,
    subscription: SubscriptionView,
    token: string,
    values: FormValues,
    form: Record<string, unknown>,
    clientIp: string,
  ): Promise<void> {
    const email = normaliseEmail(values.email).address ?? values.email.trim();
    const shown = subscription.pendingEmail ?? subscription.email ?? '';
    const body: Record<string, unknown> = {};
    if (email !== shown) {
      body.email = email === '' ? null : email;
    }
    if (form.removeSlack !== undefined) {
      body.slackWebhookUrl = null;
    } else if (values.slackWebhookUrl.trim() !== '') {
      body.slackWebhookUrl = values.slackWebhookUrl;
    }
    const formValues = { ...valuesOf(subscription), email: values.email, slackWebhookUrl: values.slackWebhookUrl };
    const { value, errors } = await validateBody(UpdateSubscriptionDto, body);
    if (Object.keys(errors).length > 0) {
      this.renderManage(res, 400, subscription, token, formValues, errors, false);
      return;
    }
    try {
      const updated = await this.subscriptions.update(subscription.id, token, value, clientIp);
      if (!updated) {
        this.html(res, 404, badLinkPage(this.site));
        return;
      }
      this.renderManage(res, 200, updated, token, valuesOf(updated), {}, true);
    } catch (error) {
      if (error instanceof InvalidSubscriptionError) {
        this.renderManage(res, 400, subscription, token, formValues, { slackWebhookUrl: [error.message] }, false);
        return;
      }
      if (error instanceof TooManyRequestsError) {
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        this.renderManage(res, 429, subscription, token, formValues, { email: [error.message] }, false);
        return;
      }
      throw error;
    }
  }

  /** The manage page's seed papers (intent=seeds): pasted lines and a library file; a bad one stores nothing. */
  private async addSeeds(
    res: Response,
    subscription: SubscriptionView,
    token: string,
    values: FormValues,
    file: UploadedSeedFile | undefined,
    clientIp: string,
  ): Promise<void> {
    const seeds = readSeeds(values.seedPapers, file);
    if (seeds.error !== null || seeds.entries.length === 0) {
      const message = seeds.error ?? 'Paste arXiv ids or links, or choose a file, to add seed papers';
      const formValues = { ...valuesOf(subscription), seedPapers: values.seedPapers };
      this.renderManage(res, 400, subscription, token, formValues, { seedPapers: [message] }, false);
      return;
    }
    const updated = await this.subscriptions.update(subscription.id, token, {}, clientIp, undefined, seeds.entries);
    if (!updated) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    this.renderManage(res, 200, updated, token, valuesOf(updated), {}, false, false, updated.seeds);
  }

  /** The manage page's "revoke all earlier links" button: the page again, under its new link. */
  private async revokeLinks(res: Response, id: string, token: string): Promise<void> {
    let renewed: RenewedLinks | null;
    try {
      renewed = await this.subscriptions.revokeLinks(id, token);
    } catch (error) {
      if (!(error instanceof TooManyRevocationsError)) {
        throw error;
      }
      this.html(res, 409, messagePage(this.site, 'Links not revoked', [error.message]));
      return;
    }
    const newToken = renewed ? new URL(renewed.manageUrl).searchParams.get('token') : null;
    const subscription = newToken ? await this.subscriptions.get(id, newToken) : null;
    if (!subscription || !newToken) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    this.renderManage(res, 200, subscription, newToken, valuesOf(subscription), {}, false, true);
  }

  /** The subscription a manage link points to; null for a bad link or a cancelled subscription. */
  private async managed(id: unknown, token: unknown): Promise<SubscriptionView | null> {
    if (typeof id !== 'string' || typeof token !== 'string') {
      return null;
    }
    const subscription = await this.subscriptions.get(id, token);
    return subscription && subscription.status !== 'unsubscribed' ? subscription : null;
  }

  private renderManage(
    res: Response,
    status: number,
    subscription: SubscriptionView,
    token: string,
    values: FormValues,
    errors: FieldErrors,
    saved: boolean,
    revoked = false,
    seeds?: SeedsOutcome,
  ): void {
    const unsubscribe = unsubscribeUrl(this.settings.PUBLIC_URL, this.settings.APP_SECRET, subscription.id, this.clock.now());
    const query = `id=${encodeURIComponent(subscription.id)}&token=${encodeURIComponent(token)}`;
    const view = {
      ...subscription,
      action: this.manageUrl(subscription.id, token),
      profileUrl: `${this.site.base}/profile?${query}`,
      unsubscribeUrl: unsubscribe,
      saved,
      revoked,
      seeds,
    };
    this.html(res, status, managePage(this.site, view, values, errors));
  }

  private manageUrl(id: string, token: string): string {
    return `${this.site.base}/manage?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
  }

  /** A multipart form is parsed after the request checks ran (checkRequestInput): the same check, here. */
  private refusedInput(res: Response, body: unknown): boolean {
    const problem = bodyInputProblem(body);
    if (problem !== null) {
      this.html(res, 400, badRequestPage(this.site, [problem]));
    }
    return problem !== null;
  }

  /** Nothing here is cacheable: forms carry what a person typed, manage pages a credential. */
  private html(res: Response, status: number, body: string): void {
    res.status(status).set('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(body);
  }
}

const intentOf = (body: unknown): unknown =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>).intent : undefined;

const isPreview = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && (body as Record<string, unknown>).intent === 'preview';

function valuesOf(subscription: SubscriptionView): FormValues {
  return {
    ...DEFAULT_FORM,
    email: subscription.pendingEmail ?? subscription.email ?? '',
    topics: subscription.topics,
    excludeTopics: subscription.excludeTopics,
    keywords: subscription.keywords.join('\n'),
    frequency: subscription.frequency,
    weekday: String(subscription.weekday),
    timezone: subscription.timezone,
    sendHour: String(subscription.sendHour),
    maxPapers: String(subscription.maxPapers),
    minUpvotes: String(subscription.minUpvotes),
    followedAuthors: subscription.followedAuthors.join('\n'),
  };
}
