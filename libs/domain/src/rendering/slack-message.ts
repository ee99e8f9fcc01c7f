import { authorLine, DigestPaperView, DigestView, digestHeading, shorten } from './digest-view';
import { limitMrkdwn, mrkdwnLink, mrkdwnLinkTarget } from './mrkdwn';

// Slack caps a message at 50 blocks and about 13k characters in all: two blocks a paper, 15 papers a message.
export const PAPERS_PER_SLACK_MESSAGE = 15;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** The digest as Block Kit messages for an incoming webhook: one, or several for a long digest. */
export function renderSlackMessages(view: DigestView): SlackMessage[] {
  const heading = digestHeading(view);
  const parts: DigestPaperView[][] = [];
  for (let start = 0; start < view.papers.length; start += PAPERS_PER_SLACK_MESSAGE) {
    parts.push(view.papers.slice(start, start + PAPERS_PER_SLACK_MESSAGE));
  }
  return parts.map((papers, index) => {
    const blocks: Record<string, unknown>[] = [];
    const label = parts.length > 1 ? ` (${index + 1}/${parts.length})` : '';
    if (index === 0) {
      blocks.push({
        type: 'header',
        text: { type: 'plain_text', text: shorten(`Paperboy · ${heading}`, 150), emoji: false },
      });
    }
    for (const paper of papers) {
      blocks.push(paperSection(paper), paperContext(paper));
    }
    if (index === parts.length - 1) {
      const more =
        view.omittedCount > 0 ? `And ${view.omittedCount} more in ${mrkdwnLink(view.viewUrl, 'the web view')}. ` : '';
      blocks.push({ type: 'divider' });
      blocks.push({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${more}${mrkdwnLink(view.feedUrl, 'Your feed')} · ${mrkdwnLink(view.unsubscribeUrl, 'Unsubscribe')}`,
          },
        ],
      });
    }
    return { text: `Paperboy: ${heading}${label}`, blocks };
  });
}

/**
 * Slack refuses a section over 3,000 characters. Each piece is escaped, then held to its own share, so the
 * whole fits without cutting the text after it is put together (which could cut a <url|title> link in two).
 */
const SECTION_SHARES = { title: 600, url: 600, authors: 400, abstract: 1200 } as const;

function paperSection(paper: DigestPaperView): Record<string, unknown> {
  // An absurd link is left out rather than cut: half a URL leads nowhere. A paper may have none at all.
  const url = mrkdwnLinkTarget(paper.url);
  const title = limitMrkdwn(paper.title, SECTION_SHARES.title);
  const heading = url !== null && url.length <= SECTION_SHARES.url ? `*<${url}|${title}>*` : `*${title}*`;
  const authors = limitMrkdwn(authorLine(paper.authors, 4), SECTION_SHARES.authors);
  const abstract = limitMrkdwn(shorten(paper.summary ?? paper.abstract, 300), SECTION_SHARES.abstract);
  return { type: 'section', text: { type: 'mrkdwn', text: `${heading}\n${authors}\n${abstract}` } };
}

function paperContext(paper: DigestPaperView): Record<string, unknown> {
  const why = paper.reasons.length > 0 ? ` · ${limitMrkdwn(paper.reasons.join('; '), 2800)}` : '';
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `▲ ${paper.upvotes}${why}` }] };
}
