import Handlebars from 'handlebars';
import { Frequency } from '../digests/schedule';
import type { RenderedEmail } from './digest-email';
import { topicName } from './digest-view';
import { CONFIRMATION_EMAIL_HTML } from './email/confirmation-email.compiled';
import { CONFIRMATION_EMAIL_TEXT } from './email/confirmation-email.text';

/** What a subscription asks for, as the confirmation email describes it (a subscription row has this shape). */
export interface ConfirmationSubscription {
  topics: string[];
  keywords: string[];
  excludeTopics: string[];
  minUpvotes: number;
  frequency: Frequency;
  /** ISO weekday of weekly digests: 1 = Monday … 7 = Sunday. */
  weekday: number;
  sendHour: number;
  timezone: string;
  maxPapers: number;
}

/** Whose confirmation: a new subscription (double opt-in) or a subscription's new address. */
export type ConfirmationKind = 'subscription' | 'address';

/** Everything the confirmation templates print, already worded. */
export interface ConfirmationEmailModel {
  subject: string;
  heading: string;
  preheader: string;
  intro: string;
  details: { label: string; value: string }[];
  button: { label: string; url: string };
  ignore: string;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const handlebars = Handlebars.create();
const options = { knownHelpersOnly: true, assumeObjects: true };
const htmlTemplate = handlebars.compile<ConfirmationEmailModel>(CONFIRMATION_EMAIL_HTML, options);
const textTemplate = handlebars.compile<ConfirmationEmailModel>(CONFIRMATION_EMAIL_TEXT, { ...options, noEscape: true });

/** "Large language models, Agents and Robotics". */
function list(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** When the digests come, in the subscriber's own zone: "Every Monday at 08:00, Europe/Paris time". */
export function deliveryTime(subscription: ConfirmationSubscription): string {
  const at = `${String(subscription.sendHour).padStart(2, '0')}:00, ${subscription.timezone} time`;
  switch (subscription.frequency) {
    case 'daily':
      return `Every day at ${at}`;
    case 'weekly':
      return `Every ${WEEKDAYS[subscription.weekday - 1] ?? 'Monday'} at ${at}`;
    case 'paused':
      return 'Paused: nothing is sent until you resume from your preferences page';
  }
}

export function confirmationEmailModel(
  confirmUrl: string,
  subscription: ConfirmationSubscription,
  kind: ConfirmationKind = 'subscription',
): ConfirmationEmailModel {
  const topics = subscription.topics.map(topicName);
  const keywords = subscription.keywords.map((keyword) => `“${keyword}”`);
  const what =
    topics.length === 0 && keywords.length === 0
      ? 'Every new paper'
      : [topics.length > 0 ? `Papers on ${list(topics)}` : '', keywords.length > 0 ? `matching ${list(keywords)}` : '']
          .filter(Boolean)
          .join(', or ')
          .replace(/^matching/, 'Papers matching');
  const details = [
    { label: 'What', value: what },
    { label: 'When', value: deliveryTime(subscription) },
    { label: 'How many', value: `Up to ${subscription.maxPapers} papers a digest, the most upvoted first` },
  ];
  if (subscription.excludeTopics.length > 0) {
    details.push({ label: 'Left out', value: list(subscription.excludeTopics.map(topicName)) });
  }
  if (subscription.minUpvotes > 0) {
    details.push({ label: 'Only', value: `Papers with at least ${subscription.minUpvotes} upvotes` });
  }
  if (kind === 'address') {
    return {
      subject: 'Paperboy: confirm your new address',
      heading: 'Confirm your new address',
      preheader: 'One click, and your Paperboy digests come to this address.',
      intro: 'Someone (hopefully you) asked Paperboy to send their digests to this address from now on.',
      details,
      button: { label: 'Confirm this address', url: confirmUrl },
      ignore: 'If it was not you, ignore this email: nothing changes, and nothing is sent to this address.',
    };
  }
  return {
    subject: 'Paperboy: confirm your subscription',
    heading: 'Confirm your subscription',
    preheader: 'One click, and your Paperboy digest starts.',
    intro: 'Someone (hopefully you) asked Paperboy to send research papers to this address.',
    details,
    button: { label: 'Confirm your subscription', url: confirmUrl },
    ignore: 'If it was not you, ignore this email: nothing will be sent.',
  };
}

/** The confirmation email, HTML (the digest's brand, one button) and plain text with the same content. */
export function renderConfirmationEmail(
  confirmUrl: string,
  subscription: ConfirmationSubscription,
  kind: ConfirmationKind = 'subscription',
): RenderedEmail {
  const model = confirmationEmailModel(confirmUrl, subscription, kind);
  return { subject: model.subject, html: htmlTemplate(model), text: textTemplate(model) };
}
