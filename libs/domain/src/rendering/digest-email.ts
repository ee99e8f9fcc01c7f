import Handlebars from 'handlebars';
import { DigestView } from './digest-view';
import { DIGEST_EMAIL_HTML } from './email/digest-email.compiled';
import { digestEmailModel, DigestEmailModel } from './email/digest-email-model';
import { DIGEST_EMAIL_TEXT } from './email/digest-email.text';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

// Compiled once (on first use): rendering a digest is then two template calls. The HTML template
// escapes every field; the text one prints them as they are. Built-in helpers only, and a model
// without gaps, let Handlebars skip its lookups: about twice as fast.
const handlebars = Handlebars.create();
const options = { knownHelpersOnly: true, assumeObjects: true };
const htmlTemplate = handlebars.compile<DigestEmailModel>(DIGEST_EMAIL_HTML, options);
const textTemplate = handlebars.compile<DigestEmailModel>(DIGEST_EMAIL_TEXT, { ...options, noEscape: true });

/** The digest email, HTML (from the MJML layout) and plain text with the same content. */
export function renderDigestEmail(view: DigestView): RenderedEmail {
  const model = digestEmailModel(view);
  return { subject: model.subject, html: htmlTemplate(model), text: textTemplate(model) };
}

export function renderConfirmationEmail(confirmUrl: string, topics: string[]): RenderedEmail {
  const what = topics.length > 0 ? `papers on ${topics.join(', ')}` : 'the daily research papers';
  const subject = 'Paperboy: confirm your subscription';
  const text = [
    `Someone (hopefully you) asked to receive ${what} from Paperboy.`,
    '',
    `Confirm your subscription: ${confirmUrl}`,
    '',
    'If it was not you, ignore this email: nothing will be sent.',
  ].join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">
  <p>Someone (hopefully you) asked to receive ${escapeHtml(what)} from Paperboy.</p>
  <p><a href="${escapeHtml(confirmUrl)}">Confirm your subscription</a></p>
  <p style="color:#777">If it was not you, ignore this email: nothing will be sent.</p></body></html>`;
  return { subject, html, text };
}
