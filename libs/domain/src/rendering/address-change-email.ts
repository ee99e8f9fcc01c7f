import Handlebars from 'handlebars';
import type { RenderedEmail } from './digest-email';

const TEXT = Handlebars.compile(
  `Someone (hopefully you) asked to send this Paperboy digest to another address: {{newAddress}}.

Approve the change: {{{approveUrl}}}

The change needs this approval and a click in the email sent to {{newAddress}}. If it was not you, ignore
this email: the digests keep coming here. Someone has a link to your manage page, then: open it from your
latest digest and use "Revoke all earlier links".`,
  { noEscape: true },
);

const HTML = Handlebars.compile(`<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">
<p>Someone (hopefully you) asked to send this Paperboy digest to another address: <strong>{{newAddress}}</strong>.</p>
<p><a href="{{approveUrl}}">Approve the change</a></p>
<p style="color:#777">The change needs this approval and a click in the email sent to {{newAddress}}. If it was not you,
ignore this email: the digests keep coming here. Someone has a link to your manage page, then: open it from your
latest digest and use "Revoke all earlier links".</p></body></html>`);

/** Sent to a subscription's current address when a manage link asks to move its digests to `newAddress`. */
export function renderAddressChangeApproval(approveUrl: string, newAddress: string): RenderedEmail {
  const context = { approveUrl, newAddress };
  return { subject: 'Paperboy: approve the new address of your digest', text: TEXT(context), html: HTML(context) };
}
