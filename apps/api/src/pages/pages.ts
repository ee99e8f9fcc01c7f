import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { esc, layout, Site } from '../web/web-pages';

/** The pages subscribers land on from their emails (confirm, unsubscribe, bad links), in the site's layout. */
@Injectable()
export class SubscriberPages {
  readonly site: Site;

  constructor(settings: Settings) {
    // Links are root-relative to wherever PUBLIC_URL mounts the api, as on the other web pages.
    this.site = { base: new URL(settings.PUBLIC_URL).pathname.replace(/\/+$/, '') };
  }

  /** Posts back to the page's own URL (token included); RFC 8058 one-click clients post there too. */
  unsubscribeForm(): string {
    return this.page(
      'Unsubscribe',
      `<p>Stop receiving this Paperboy digest? You can subscribe again at any time.</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  unsubscribed(): string {
    return this.page(
      'You are unsubscribed',
      `<p>You will not receive this digest any more.</p>
<p><a href="${esc(this.site.base)}/subscribe">Subscribe again</a> · <a href="${esc(this.site.base)}/">Back to the papers</a></p>`,
    );
  }

  confirmed(feeds: { rss: string; atom: string; json: string }, manage: string): string {
    return this.page(
      'Subscription confirmed',
      `<p>Your first digest arrives at your next send hour.</p>
<ul><li><a href="${esc(manage)}">Manage your preferences</a></li>
<li>Your personal feed lists every paper of your digests: <a href="${esc(feeds.rss)}">RSS</a>,
<a href="${esc(feeds.atom)}">Atom</a>, <a href="${esc(feeds.json)}">JSON Feed</a>.</li></ul>`,
    );
  }

  emailConfirmed(feeds: { rss: string; atom: string; json: string }, manage: string): string {
    return this.page(
      'Address confirmed',
      `<p>Your digests go to this address from the next one on.</p>
<ul><li><a href="${esc(manage)}">Manage your preferences</a></li>
<li>Your personal feed lists every paper of your digests: <a href="${esc(feeds.rss)}">RSS</a>,
<a href="${esc(feeds.atom)}">Atom</a>, <a href="${esc(feeds.json)}">JSON Feed</a>.</li></ul>`,
    );
  }

  /** One of the two clicks of an address change: the other address's link completes it. */
  emailChangeWaiting(waitingFor: 'new' | 'current'): string {
    const other =
      waitingFor === 'new'
        ? 'the link sent to the new address'
        : 'the link sent to the address the digests go to now';
    return this.page(
      'One more click',
      `<p>Thank you. The address changes once ${esc(other)} is clicked too (both links are valid for 7 days).</p>`,
    );
  }

  /** The current address approved a change that is now made: the new mailbox has the links. */
  emailChangeApproved(): string {
    return this.page('Change approved', '<p>Thank you. The digests of this subscription go to the new address now.</p>');
  }

  cancelled(): string {
    return this.page(
      'This subscription was cancelled',
      `<p><a href="${esc(this.site.base)}/subscribe">Subscribe again</a> to receive the digest.</p>`,
    );
  }

  invalidLink(): string {
    return this.page(
      'This link is not valid',
      `<p>It may be mistyped or expired.</p>
<p><a href="${esc(this.site.base)}/">Back to the papers</a></p>`,
    );
  }

  /** A page of the site's layout: kept out of search engines, as it is reached through a signed link. */
  page(title: string, body: string): string {
    return layout(this.site, { title, noindex: true }, `<h1>${esc(title)}</h1>\n${body}`);
  }
}
