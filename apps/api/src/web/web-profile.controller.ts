import { Body, Controller, Get, Ip, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Profile, ProfileService } from '../relevance/profile.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { badLinkPage, badRequestPage, Site } from './web-pages';
import { WebPapersService } from './web-papers.service';
import { profilePage } from './web-profile-pages';

/**
 * "My profile", behind the manage link's token: what the subscriber's digest learned, and its edits (form
 * POSTs to the page's own URL, answered with the page again, as the manage page does).
 */
@ApiTags('Web pages')
@Controller()
export class WebProfileController {
  private readonly site: Site;

  constructor(
    private readonly profiles: ProfileService,
    private readonly subscriptions: SubscriptionsService,
    web: WebPapersService,
  ) {
    this.site = web.site;
  }

  @Get('profile')
  async show(@Query('id') id: unknown, @Query('token') token: unknown, @Res() res: Response): Promise<void> {
    await this.render(res, id, token, null, false);
  }

  @Post('profile')
  async edit(
    @Query('id') id: unknown,
    @Query('token') token: unknown,
    @Body() body: unknown,
    @Ip() clientIp: string,
    @Res() res: Response,
  ): Promise<void> {
    const form = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const field = (name: string): string => (typeof form[name] === 'string' ? form[name] : '');
    const edit =
      typeof id === 'string' && typeof token === 'string'
        ? await this.profiles.edit(
            id,
            token,
            {
              intent: field('intent'),
              paper: field('paper'),
              direction: field('direction'),
              term: field('term'),
              author: field('author'),
            },
            clientIp,
          )
        : null;
    if (edit === null) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    if (edit === 'unknown-intent') {
      this.html(res, 400, badRequestPage(this.site, ['Unknown action: use the buttons of the profile page.']));
      return;
    }
    await this.render(res, id, token, edit.notice, edit.confirmReset);
  }

  private async render(
    res: Response,
    id: unknown,
    token: unknown,
    notice: string | null,
    confirmReset: boolean,
  ): Promise<void> {
    const profile = await this.profileOf(id, token);
    if (!profile) {
      this.html(res, 404, badLinkPage(this.site));
      return;
    }
    const query = `id=${encodeURIComponent(id as string)}&token=${encodeURIComponent(token as string)}`;
    this.html(
      res,
      200,
      profilePage(this.site, {
        profile,
        action: `${this.site.base}/profile?${query}`,
        manageUrl: `${this.site.base}/manage?${query}`,
        notice,
        confirmReset,
      }),
    );
  }

  /** The profile a manage link opens; null for a bad link or a cancelled subscription (as the manage page). */
  private async profileOf(id: unknown, token: unknown): Promise<Profile | null> {
    if (typeof id !== 'string' || typeof token !== 'string') {
      return null;
    }
    const subscription = await this.subscriptions.get(id, token);
    return subscription && subscription.status !== 'unsubscribed' ? this.profiles.profile(id, token) : null;
  }

  /** Nothing here is cacheable: the page carries a credential. */
  private html(res: Response, status: number, body: string): void {
    res.status(status).set('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(body);
  }
}
