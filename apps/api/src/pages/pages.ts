import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { renderPage, Site } from '../web/templates';
import { messagePage } from '../web/web-pages';
import { ActiveLinks, linksPage } from '../web/web-subscription-pages';

/** The pages subscribers land on from their emails (confirm, unsubscribe, bad links), in the site's layout. */
@Injectable()
export class SubscriberPages {
  readonly site: Site;

  constructor(settings: Settings) {
    // Links are root-relative to wherever PUBLIC_URL mounts the api, as on the other web pages.
    this.site = { base: new URL(settings.PUBLIC_URL).pathname.replace(/\/+$/, '') };
  }

  /** Posts back to the page's own URL (token included); RFC 8058 one-click clients post there too. */
  unsubscribeForm(canErase: boolean): string {
    return renderPage('unsubscribe', this.site, { title: 'Unsubscribe', noindex: true }, { canErase });
  }

  /** "Delete my data" from an unsubscribe link of an email older than the subscriber's last revocation. */
  eraseRevoked(): string {
    return this.message(
      'This link cannot delete your data',
      [
        'It comes from an email sent before the links were renewed, so it can only unsubscribe. ' +
          'To delete your data, use the manage link of your latest digest.',
      ],
      [{ href: `${this.site.base}/`, label: 'Back to the papers' }],
    );
  }

  unsubscribed(): string {
    return this.message(
      'You are unsubscribed',
      ['You will not receive this digest any more.'],
      [
        { href: `${this.site.base}/subscribe`, label: 'Subscribe again' },
        { href: `${this.site.base}/`, label: 'Back to the papers' },
      ],
    );
  }

  /** After "unsubscribe and delete my data". */
  erased(): string {
    return this.message(
      'Your data is deleted',
      ['This subscription and everything Paperboy held about it are gone. Its links no longer work.'],
      [{ href: `${this.site.base}/subscribe`, label: 'Subscribe again' }],
    );
  }

  confirmed(feeds: ActiveLinks['feeds'], manage: string): string {
    return linksPage(
      this.site,
      {
        title: 'Subscription confirmed',
        intro: 'Your first digest arrives at your next send hour.',
        feedIntro: 'Your personal feed lists every paper of your digests',
      },
      { manage, feeds },
    );
  }

  emailConfirmed(feeds: ActiveLinks['feeds'], manage: string): string {
    return linksPage(
      this.site,
      {
        title: 'Address confirmed',
        intro: 'Your digests go to this address from the next one on.',
        feedIntro: 'Your personal feed lists every paper of your digests',
      },
      { manage, feeds },
    );
  }

  /** One of the two clicks of an address change: the other address's link completes it. */
  emailChangeWaiting(waitingFor: 'new' | 'current'): string {
    const other =
      waitingFor === 'new' ? 'the link sent to the new address' : 'the link sent to the address the digests go to now';
    return this.message(
      'One more click',
      [`Thank you. The address changes once ${other} is clicked too (both links are valid for 7 days).`],
      [],
    );
  }

  /** The current address approved a change that is now made: the new mailbox has the links. */
  emailChangeApproved(): string {
    return this.message(
      'Change approved',
      ['Thank you. The digests of this subscription go to the new address now.'],
      [],
    );
  }

  cancelled(): string {
    return this.message(
      'This subscription was cancelled',
      [],
      [{ href: `${this.site.base}/subscribe`, label: 'Subscribe again' }],
    );
  }

  invalidLink(): string {
    return this.message(
      'This link is not valid',
      ['It may be mistyped or expired.'],
      [{ href: `${this.site.base}/`, label: 'Back to the papers' }],
    );
  }

  /** A page of the site's layout: kept out of search engines, as it is reached through a signed link. */
  private message(title: string, paragraphs: string[], links: { href: string; label: string }[]): string {
    return messagePage(this.site, title, paragraphs, { noindex: true, links });
  }
}
