import { TOPICS } from '@libs/domain';
import { DEFAULT_FORM, FieldErrors, FormValues } from './web-forms';
import { renderPage, Site } from './templates';
import { paperItem, WebPaper } from './web-pages';

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
  followedAuthors: 'Followed authors',
  seedPapers: 'Seed papers',
};

/** Fields with a hint paragraph (`<name>-hint`) that their input points to. */
const HINTED = new Set<keyof FormValues>([
  'email',
  'slackWebhookUrl',
  'topics',
  'excludeTopics',
  'keywords',
  'weekday',
  'timezone',
  'sendHour',
  'maxPapers',
  'minUpvotes',
  'followedAuthors',
  'seedPapers',
]);

/** Each field's messages and the aria attributes tying its input to its hint and its error. */
function fieldModels(errors: FieldErrors) {
  const names = Object.keys(FIELD_LABELS) as (keyof FormValues)[];
  return Object.fromEntries(
    names.map((name) => {
      const messages = errors[name] ?? [];
      const ids = [HINTED.has(name) ? `${name}-hint` : '', messages.length > 0 ? `${name}-error` : ''].filter(Boolean);
      return [name, { name, errors: messages, describedBy: ids.join(' '), invalid: messages.length > 0 }];
    }),
  );
}

function errorSummaryModel(errors: FieldErrors) {
  const fields = (Object.keys(FIELD_LABELS) as (keyof FormValues)[]).filter((field) => errors[field]);
  if (fields.length === 0) {
    return null;
  }
  return {
    heading: fields.length === 1 ? 'Please correct this field' : 'Please correct these fields',
    items: fields.map((field) => ({
      field,
      label: FIELD_LABELS[field],
      messages: (errors[field] ?? []).join('; '),
    })),
  };
}

const options = (choices: [string, string][], value: string) =>
  choices.map(([v, label]) => ({ value: v, label, selected: v === value }));

const HOURS = Array.from({ length: 24 }, (_, h): [string, string] => [String(h), `${String(h).padStart(2, '0')}:00`]);

/** What partials/preference-fields.hbs reads: the preferences every subscription has. */
function preferenceModel(values: FormValues, errors: FieldErrors, guessTimezone: boolean) {
  const chosen = new Set(values.topics);
  const excluded = new Set(values.excludeTopics);
  return {
    values,
    fields: fieldModels(errors),
    errorSummary: errorSummaryModel(errors),
    topicChoices: TOPICS.map((t) => ({ slug: t.slug, name: t.name, checked: chosen.has(t.slug) })),
    excludeChoices: TOPICS.map((t) => ({ slug: t.slug, name: t.name, checked: excluded.has(t.slug) })),
    excludedCount: excluded.size,
    excludeOpen: excluded.size > 0 || errors.excludeTopics !== undefined,
    frequencyOptions: options(FREQUENCIES, values.frequency),
    weekdayOptions: options(
      WEEKDAYS.map((day, index): [string, string] => [String(index + 1), day]),
      values.weekday,
    ),
    hourOptions: options(HOURS, values.sendHour),
    timeZones: TIME_ZONES,
    guessTimezone,
  };
}

/** What today's digest would have held for the preferences on the form. */
export interface PreviewView {
  papers: WebPaper[];
  /** Matching papers, before the cap. */
  total: number;
  /** The lookback window the digest would have covered. */
  days: number;
}

/** What became of a form's seed papers (SeedsService's answer), as the page says it. */
export interface SeedsOutcome {
  added: number;
  lookingUp: { where: string; id: string }[];
  notFound: { where: string; id: string }[];
  withoutIdentifier: string[];
}

/** Sentences of a seeds outcome; null when the form sent none. */
function seedsModel(outcome: SeedsOutcome | undefined) {
  if (!outcome) {
    return null;
  }
  const named = (items: { where: string; id: string }[]): string =>
    items.map((item) => `${item.id} (${item.where})`).join(', ');
  return {
    added: `${outcome.added} seed ${outcome.added === 1 ? 'paper' : 'papers'} added.`,
    lookingUp:
      outcome.lookingUp.length > 0
        ? `Looked up on arXiv, added once found: ${named(outcome.lookingUp)}.`
        : null,
    notFound: outcome.notFound.length > 0 ? `Not found: ${named(outcome.notFound)}.` : null,
    withoutIdentifier:
      outcome.withoutIdentifier.length > 0
        ? `Without an arXiv id or DOI, so left out: ${outcome.withoutIdentifier.join(', ')}.`
        : null,
  };
}

export interface SubscribeView {
  values: FormValues;
  errors: FieldErrors;
  /** A fresh form: the browser's time zone replaces the default (by the site script). */
  guessTimezone?: boolean;
  preview?: PreviewView;
}

export function subscribePage(site: Site, view: SubscribeView): string {
  const { values, errors, preview } = view;
  const shown = preview?.papers.length ?? 0;
  return renderPage(
    'subscribe',
    site,
    {
      title: Object.keys(errors).length > 0 ? 'Subscribe (please correct the form)' : 'Subscribe',
      nav: 'subscribe',
      script: view.guessTimezone,
    },
    {
      ...preferenceModel(values, errors, view.guessTimezone === true),
      preview: preview
        ? {
            heading:
              shown === 0
                ? "Today's digest would have been empty"
                : `Today's digest would have held ${shown} ${shown === 1 ? 'paper' : 'papers'}`,
            days: preview.days,
            more:
              preview.total > shown
                ? `${preview.total - shown} more matched but would not have fit: a digest holds at most ${values.maxPapers.trim() || DEFAULT_FORM.maxPapers} papers.`
                : null,
            papers: preview.papers.map((paper) => paperItem(site, paper)),
          }
        : null,
    },
  );
}

export function checkInboxPage(site: Site, message: string, seeds?: SeedsOutcome): string {
  return renderPage(
    'check-inbox',
    site,
    { title: 'Check your inbox', nav: 'subscribe' },
    { message, seeds: seedsModel(seeds) },
  );
}

export interface ActiveLinks {
  manage: string;
  feeds: { rss: string; atom: string; json: string };
}

/** A page listing a subscription's manage and feed links: after subscribing to Slack or feeds, or confirming. */
export function linksPage(
  site: Site,
  text: { title: string; intro: string; feedIntro: string; nav?: 'subscribe' },
  links: ActiveLinks,
  seeds?: SeedsOutcome,
): string {
  return renderPage(
    'subscribed',
    site,
    { title: text.title, nav: text.nav, noindex: true },
    { ...text, manage: links.manage, feeds: links.feeds, seeds: seedsModel(seeds) },
  );
}

/** A Slack or feed-only subscription is active at once: its links are shown once, here. */
export function subscribedPage(site: Site, links: ActiveLinks, seeds?: SeedsOutcome): string {
  return linksPage(
    site,
    {
      title: 'You are subscribed',
      intro:
        'Your first digest goes out at your next send hour. Keep these links: they are the only way back to this subscription.',
      feedIntro: 'Your personal feed',
      nav: 'subscribe',
    },
    links,
    seeds,
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
  /** "My profile", under the same token. */
  profileUrl: string;
  /** What became of seed papers just added. */
  seeds?: SeedsOutcome;
}

export function managePage(site: Site, view: ManageView, values: FormValues, errors: FieldErrors): string {
  return renderPage(
    'manage',
    site,
    { title: 'Manage your digest', noindex: true },
    {
      ...preferenceModel(values, errors, false),
      saved: view.saved,
      revoked: view.revoked ?? false,
      pending: view.status === 'pending',
      channels: {
        email: view.email ? { address: view.email, suppressed: view.emailSuppressed } : null,
        slack: view.slack,
        feeds: view.feeds,
        pendingEmail: view.pendingEmail,
      },
      action: view.action,
      unsubscribeUrl: view.unsubscribeUrl,
      profileUrl: view.profileUrl,
      seeds: seedsModel(view.seeds),
    },
  );
}

