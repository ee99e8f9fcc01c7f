import { authorLine, DigestView, digestHeading, shorten } from './digest-view';

/** Slack mrkdwn needs only these three escaped. */
const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Slack caps a message at 50 blocks and about 13k characters in all; three blocks per paper fit 15.
const MAX_PAPERS_PER_MESSAGE = 15;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** The digest as one Block Kit message for an incoming webhook. */
export function renderSlackMessage(view: DigestView): SlackMessage {
  const heading = digestHeading(view);
  const shown = view.papers.slice(0, MAX_PAPERS_PER_MESSAGE);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: shorten(`Paperboy · ${heading}`, 150), emoji: false } },
  ];
  for (const paper of shown) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: shorten(
          `*<${paper.url}|${escapeMrkdwn(paper.title)}>*\n${escapeMrkdwn(authorLine(paper.authors, 4))}\n${escapeMrkdwn(
            shorten(paper.summary ?? paper.abstract, 300),
          )}`,
          2900,
        ),
      },
    });
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: shorten(`▲ ${paper.upvotes}${paper.reasons.length > 0 ? ` · ${escapeMrkdwn(paper.reasons.join('; '))}` : ''}`, 2900),
        },
      ],
    });
  }
  const left = view.papers.length - shown.length + view.omittedCount;
  const footer = `${left > 0 ? `${left} more matching papers in <${view.feedUrl}|your feed>. ` : ''}<${view.unsubscribeUrl}|Unsubscribe>`;
  blocks.push({ type: 'divider' });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer }] });
  return { text: `Paperboy: ${heading}`, blocks };
}
