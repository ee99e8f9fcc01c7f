import { TOPICS } from '@libs/domain';
import { FieldErrors, FormValues } from './web-forms';
import { esc, layout, paperList, Site, WebPaper } from './web-pages';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const FREQUENCIES: [string, string][] = [
  ['daily', 'Daily'],
  ['weekly', 'Weekly'],
  ['paused', 'Paused (nothing is sent)'],
];

const supportedValuesOf = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
/** Suggestions for the time zone field (the browser offers them as you type); any IANA zone is accepted. */
const TIME_ZONES = ['UTC', ...(supportedValuesOf?.('timeZone') ?? []).filter((zone) => zone !== 'UTC')];

/** Labels of the fields, in form order, for the error summary. */
const FIELD_LABELS: Record<keyof FormValues, string> = {
  email: 'Email',
  slackWebhookUrl: 'Slack webhook',
  topics: 'Topics',
  excludeTopics: 'Leave out',
  keywords: 'Keywords',
  frequency: 'Frequency',
  weekday: 'Weekday',
  timezone: 'Time zone',
  sendHour: 'Send hour',
  maxPapers: 'Papers per digest',
  minUpvotes: 'Minimum upvotes',
};

function fieldErrors(errors: FieldErrors, field: keyof FormValues): string {
  const messages = errors[field] ?? [];
  return messages.length > 0
    ? `<p class="error" id="${field}-error">${messages.map((m) => esc(m)).join('<br>')}</p>`
    : '';
}

/** aria attributes tying an input to its hint and its error. */
function described(errors: FieldErrors, field: keyof FormValues, hint: boolean): string {
  const ids = [hint ? `${field}-hint` : '', errors[field] ? `${field}-error` : ''].filter(Boolean).join(' ');
  return `${ids ? ` aria-describedby="${ids}"` : ''}${errors[field] ? ' aria-invalid="true"' : ''}`;
}

function errorSummary(errors: FieldErrors): string {
  const fields = (Object.keys(FIELD_LABELS) as (keyof FormValues)[]).filter((field) => errors[field]);
  if (fields.length === 0) {
    return '';
  }
  const items = fields.map(
    (field) => `<li><a href="#${field}">${esc(FIELD_LABELS[field])}: ${esc((errors[field] ?? []).join('; '))}</a></li>`,
  );
  return `<div class="summary" role="alert" tabindex="-1"><h2>Please correct ${fields.length === 1 ? 'this field' : 'these fields'}</h2><ul>${items.join('')}</ul></div>`;
}

function select(
  name: keyof FormValues,
  options: [string, string][],
  value: string,
  errors: FieldErrors,
  hint = false,
): string {
  return `<select id="${name}" name="${name}"${described(errors, name, hint)}>${options
    .map(([v, label]) => `<option value="${esc(v)}"${v === value ? ' selected' : ''}>${esc(label)}</option>`)
    .join('')}</select>`;
}

/** The preferences every subscription has; shared by the subscribe and manage forms. */
function preferenceFields(values: FormValues, errors: FieldErrors, options: { guessTimezone?: boolean } = {}): string {
  const checkboxes = (name: 'topics' | 'excludeTopics', chosen: Set<string>): string =>
    TOPICS.map(
      (t) =>
        `<label><input type="checkbox" name="${name}" value="${esc(t.slug)}"${chosen.has(t.slug) ? ' checked' : ''}> ${esc(t.name)}</label>`,
    ).join('');
  const topics = checkboxes('topics', new Set(values.topics));
  const excluded = new Set(values.excludeTopics);
  const hours = Array.from({ length: 24 }, (_, h): [string, string] => [String(h), `${String(h).padStart(2, '0')}:00`]);
  return `<fieldset id="topics"${described(errors, 'topics', true)}><legend>Topics</legend>
<p class="hint" id="topics-hint">Papers with any of these topics. Choose none, and no keyword, to get every paper.</p>${fieldErrors(errors, 'topics')}
<div class="checks">${topics}</div></fieldset>
<details id="excludeTopics"${excluded.size > 0 || errors.excludeTopics ? ' open' : ''}><summary>Leave out topics${excluded.size > 0 ? ` (${excluded.size})` : ''}</summary>
<fieldset${described(errors, 'excludeTopics', true)}><legend>Leave out papers on</legend>
<p class="hint" id="excludeTopics-hint">A paper with any of these topics is left out, even when it matches.</p>${fieldErrors(errors, 'excludeTopics')}
<div class="checks">${checkboxes('excludeTopics', excluded)}</div></fieldset></details>
<div><label for="keywords">Keywords</label><p class="hint" id="keywords-hint">One search a line, matched in titles, abstracts and authors: words, "exact phrase", -exclude. At most 20.</p>${fieldErrors(errors, 'keywords')}
<textarea id="keywords" name="keywords" rows="3"${described(errors, 'keywords', true)}>${esc(values.keywords)}</textarea></div>
<div><label for="frequency">Frequency</label>${fieldErrors(errors, 'frequency')}${select('frequency', FREQUENCIES, values.frequency, errors)}</div>
<div><label for="weekday">Weekday of weekly digests</label>${fieldErrors(errors, 'weekday')}${select(
    'weekday',
    WEEKDAYS.map((day, index): [string, string] => [String(index + 1), day]),
    values.weekday,
    errors,
  )}</div>
<div><label for="timezone">Time zone</label><p class="hint" id="timezone-hint">An IANA time zone such as Europe/Paris or America/New_York; UTC if you are unsure.</p>${fieldErrors(errors, 'timezone')}
<input type="text" id="timezone" name="timezone" value="${esc(values.timezone)}" list="timezones" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="64"${options.guessTimezone ? ' data-guess-timezone' : ''}${described(errors, 'timezone', true)}>${options.guessTimezone ? '<p class="hint" id="timezone-guess" aria-live="polite"></p>' : ''}
<datalist id="timezones">${TIME_ZONES.map((zone) => `<option value="${esc(zone)}"></option>`).join('')}</datalist></div>
<div><label for="sendHour">Send hour</label><p class="hint" id="sendHour-hint">Local time in your time zone.</p>${fieldErrors(errors, 'sendHour')}${select('sendHour', hours, values.sendHour, errors, true)}</div>
<div><label for="maxPapers">Papers per digest</label><p class="hint" id="maxPapers-hint">1 to 100; the most upvoted first.</p>${fieldErrors(errors, 'maxPapers')}
<input type="number" id="maxPapers" name="maxPapers" inputmode="numeric" min="1" max="100" value="${esc(values.maxPapers)}"${described(errors, 'maxPapers', true)}></div>
<div><label for="minUpvotes">Minimum upvotes</label><p class="hint" id="minUpvotes-hint">0 for every paper.</p>${fieldErrors(errors, 'minUpvotes')}
<input type="number" id="minUpvotes" name="minUpvotes" inputmode="numeric" min="0" value="${esc(values.minUpvotes)}"${described(errors, 'minUpvotes', true)}></div>`;
}

/** What today's digest would have held for the preferences on the form. */
export interface PreviewView {
  papers: WebPaper[];
  /** Matching papers, before the cap. */
  total: number;
  /** The lookback window the digest would have covered. */
  days: number;
}

export interface SubscribeView {
  values: FormValues;
  errors: FieldErrors;
  /** A fresh form: the browser's time zone replaces the default (by the site script). */
  guessTimezone?: boolean;
  preview?: PreviewView;
}

function previewSection(site: Site, preview: PreviewView): string {
  const shown = preview.papers.length;
  const heading =
    shown === 0
      ? "Today's digest would have been empty"
      : `Today's digest would have held ${shown} ${shown === 1 ? 'paper' : 'papers'}`;
  const more =
    preview.total > shown ? ` ${preview.total - shown} more matched and would have been left out by the cap.` : '';
  return `<section class="preview" id="preview" aria-labelledby="preview-heading" tabindex="-1">
<h2 id="preview-heading">${esc(heading)}</h2>
<p class="hint">Papers first listed in the last ${esc(preview.days)} days that match these topics, keywords and upvotes, as the digest ranks them.${esc(more)} Nothing was saved.</p>
${paperList(site, preview.papers, 'No paper of these days matches. Choose more topics, or fewer keywords.')}
<p><button type="submit" form="subscribe-form">Subscribe with these preferences</button></p>
</section>`;
}

export function subscribePage(site: Site, view: SubscribeView): string {
  const { values, errors } = view;
  const body = `<h1>Subscribe to the digest</h1>
<p>The day's papers on your topics, in your inbox or Slack channel, at your hour.</p>
${errorSummary(errors)}<form class="stack" id="subscribe-form" method="post" action="${esc(site.base)}/subscribe" novalidate>
<fieldset><legend>Where to send it</legend>
<div><label for="email">Email</label><p class="hint" id="email-hint">We send a confirmation link first.</p>${fieldErrors(errors, 'email')}
<input type="email" id="email" name="email" autocomplete="email" maxlength="254" value="${esc(values.email)}"${described(errors, 'email', true)}></div>
<div><label for="slackWebhookUrl">Slack incoming webhook (optional)</label><p class="hint" id="slackWebhookUrl-hint">https://hooks.slack.com/services/… Leave both empty for a feed-only subscription (RSS, Atom, JSON Feed).</p>${fieldErrors(errors, 'slackWebhookUrl')}
<input type="url" id="slackWebhookUrl" name="slackWebhookUrl" maxlength="500" autocomplete="off" value="${esc(values.slackWebhookUrl)}"${described(errors, 'slackWebhookUrl', true)}></div>
</fieldset>
${preferenceFields(values, errors, { guessTimezone: view.guessTimezone })}
<div class="actions"><button type="submit">Subscribe</button>
<button type="submit" class="secondary" name="intent" value="preview" formaction="${esc(site.base)}/subscribe#preview">Preview today's digest</button></div></form>
${view.preview ? previewSection(site, view.preview) : ''}`;
  return layout(
    site,
    {
      title: Object.keys(errors).length > 0 ? 'Subscribe (please correct the form)' : 'Subscribe',
      nav: 'subscribe',
      script: view.guessTimezone,
    },
    body,
  );
}

export function checkInboxPage(site: Site, message: string): string {
  return layout(
    site,
    { title: 'Check your inbox', nav: 'subscribe' },
    `<h1>Check your inbox</h1>\n<p>${esc(message)} The link is valid for 7 days. Nothing arrives? Look in your spam folder.</p>\n<p><a href="${esc(site.base)}/">Back to the papers</a></p>`,
  );
}

export interface ActiveLinks {
  manage: string;
  feeds: { rss: string; atom: string; json: string };
}

function feedLinks(feeds: ActiveLinks['feeds']): string {
  return `<a href="${esc(feeds.rss)}">RSS</a>, <a href="${esc(feeds.atom)}">Atom</a>, <a href="${esc(feeds.json)}">JSON Feed</a>`;
}

/** A Slack or feed-only subscription is active at once: its links are shown once, here. */
export function subscribedPage(site: Site, links: ActiveLinks): string {
  return layout(
    site,
    { title: 'You are subscribed', nav: 'subscribe', noindex: true },
    `<h1>You are subscribed</h1>
<p>Your first digest goes out at your next send hour. Keep these links: they are the only way back to this subscription.</p>
<ul><li><a href="${esc(links.manage)}">Manage your preferences</a></li><li>Your personal feed: ${feedLinks(links.feeds)}</li></ul>`,
  );
}

export interface ManageView {
  status: string;
  email: string | null;
  pendingEmail: string | null;
  emailSuppressed: boolean;
  slack: { host: string; disabledReason: string | null } | null;
  feeds: ActiveLinks['feeds'];
  /** Where the form posts: this page's own URL. */
  action: string;
  unsubscribeUrl: string;
  saved: boolean;
  /** Shown after "Revoke all earlier links": this page's link is the new one. */
  revoked?: boolean;
}

/** "Revoke all earlier links" (manage, feed and digest links; unsubscribe links keep working). */
function revokeLinksSection(action: string): string {
  return `<section aria-labelledby="revoke-heading"><h2 id="revoke-heading">Links to this page</h2>
<p class="hint">Anyone with a link from your digests can change this subscription. If one was forwarded, revoke them: earlier manage, feed and "view in browser" links stop working (unsubscribe links keep working), and this page moves to a new link.</p>
<form method="post" action="${esc(action)}"><input type="hidden" name="intent" value="revoke-links"><button type="submit">Revoke all earlier links</button></form></section>`;
}

export function managePage(site: Site, view: ManageView, values: FormValues, errors: FieldErrors): string {
  const channels: string[] = [];
  if (view.email) {
    channels.push(
      `<li>Email to ${esc(view.email)}${view.emailSuppressed ? ' <strong>(stopped: the address bounced)</strong>' : ''}</li>`,
    );
  }
  if (view.slack) {
    channels.push(
      `<li>Slack (${esc(view.slack.host)})${view.slack.disabledReason ? ` <strong>(stopped: ${esc(view.slack.disabledReason)})</strong>` : ''}</li>`,
    );
  }
  channels.push(`<li>Your personal feed: ${feedLinks(view.feeds)}</li>`);
  if (view.pendingEmail) {
    channels.push(
      `<li>Waiting for confirmation: ${esc(view.pendingEmail)} (use the link we sent there${view.email ? `, and the one sent to ${esc(view.email)} to approve the change; ${esc(view.email)} gets the digests until then` : ''})</li>`,
    );
  }
  const notice = view.revoked
    ? '<div class="notice" role="status"><p>Earlier links revoked. Bookmark this page: its link is the new one.</p></div>'
    : view.saved
      ? '<div class="notice" role="status"><p>Saved. The changes apply from your next digest on.</p></div>'
      : '';
  const pending =
    view.status === 'pending'
      ? '<p><strong>Not confirmed yet:</strong> use the link in the confirmation email.</p>'
      : '';
  const body = `<h1>Your digest</h1>
${notice}${errorSummary(errors)}${pending}
<section aria-labelledby="channels-heading"><h2 id="channels-heading">Delivered to</h2><ul>${channels.join('')}</ul></section>
<section aria-labelledby="channels-form-heading"><h2 id="channels-form-heading">Change where it goes</h2>
<form class="stack" method="post" action="${esc(view.action)}" novalidate>
<input type="hidden" name="intent" value="channels">
<div><label for="email">Email</label><p class="hint" id="email-hint">A new address gets a confirmation link first. Empty stops email.</p>${fieldErrors(errors, 'email')}
<input type="email" id="email" name="email" autocomplete="email" maxlength="254" value="${esc(values.email)}"${described(errors, 'email', true)}></div>
<div><label for="slackWebhookUrl">New Slack incoming webhook</label><p class="hint" id="slackWebhookUrl-hint">https://hooks.slack.com/services/… Empty keeps the current one; a new one starts Slack again after it stopped.</p>${fieldErrors(errors, 'slackWebhookUrl')}
<input type="url" id="slackWebhookUrl" name="slackWebhookUrl" maxlength="500" autocomplete="off" value="${esc(values.slackWebhookUrl)}"${described(errors, 'slackWebhookUrl', true)}></div>
${view.slack ? '<div><input type="checkbox" id="removeSlack" name="removeSlack" value="1"> <label for="removeSlack">Stop sending to Slack</label></div>' : ''}
<div><button type="submit">Save channels</button></div></form></section>
<section aria-labelledby="prefs-heading"><h2 id="prefs-heading">Preferences</h2>
<form class="stack" method="post" action="${esc(view.action)}" novalidate>
${preferenceFields(values, errors)}
<div><button type="submit">Save preferences</button></div></form></section>
${revokeLinksSection(view.action)}
<p><a href="${esc(view.unsubscribeUrl)}">Unsubscribe</a> from this digest.</p>`;
  return layout(site, { title: 'Manage your digest', noindex: true }, body);
}
