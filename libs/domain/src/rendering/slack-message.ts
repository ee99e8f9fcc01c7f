import { authorLine, DigestPaperView, DigestView, digestHeading, sharedPaperView, shorten } from './digest-view';
import { limitMrkdwn, mrkdwnLink, mrkdwnLinkTarget } from './mrkdwn';
import type { PaperVoteLinks } from '../tokens/vote-links';

// Slack caps a message at 50 blocks and refuses one whose blocks hold more than about 13k characters
// (msg_blocks_too_long, below its documented limits): two blocks a paper, 15 papers a message; with its vote
// buttons a paper takes three blocks and about twice the characters (two signed links), 8 a message. Papers with
// long texts fill a message sooner: it also ends before its blocks, as JSON, pass SLACK_MESSAGE_BUDGET.
export const PAPERS_PER_SLACK_MESSAGE = 15;
export const PAPERS_PER_SLACK_MESSAGE_WITH_VOTES = 8;
/** The most a message's blocks take as JSON (an over-estimate of the characters Slack counts), with room to spare. */
export const SLACK_MESSAGE_BUDGET = 11_000;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
  /** Slack would otherwise fetch (unfurl) the links it shows: vote links must only ever be followed by a person. */
  unfurl_links: false;
  unfurl_media: false;
}

/** Slack refuses a button URL over 3,000 characters. */
const MAX_BUTTON_URL = 3000;

/** The digest as Block Kit messages for an incoming webhook: one, or several for a long digest. */
export function renderSlackMessages(view: DigestView): SlackMessage[] {
  const heading = digestHeading(view);
  const perMessage = view.votes ? PAPERS_PER_SLACK_MESSAGE_WITH_VOTES : PAPERS_PER_SLACK_MESSAGE;
  const header = {
    type: 'header',
    text: { type: 'plain_text', text: shorten(`Paperboy · ${heading}`, 150), emoji: false },
  };
  const footer = footerBlocks(view);
  // Each paper's blocks, then packed in order: a message ends at `perMessage` papers or at the budget.
  const papers = view.papers.map((paper, number) => {
    const votes = voteButtons(view.votes?.[number] ?? null, number);
    const blocks = [paperSection(paper), paperContext(paper), ...(votes ? [votes] : [])];
    return { blocks, size: jsonSize(blocks) };
  });
  const parts: Record<string, unknown>[][][] = [];
  let size = jsonSize([header]);
  for (const paper of papers) {
    const current = parts.at(-1);
    if (current && current.length < perMessage && size + paper.size <= SLACK_MESSAGE_BUDGET) {
      current.push(paper.blocks);
      size += paper.size;
    } else {
      parts.push([paper.blocks]);
      size = paper.size;
    }
  }
  // The footer's links must reach Slack too: a last message of their own when the last part has no room.
  if (parts.length > 0 && size + jsonSize(footer) > SLACK_MESSAGE_BUDGET) {
    parts.push([]);
  }
  return parts.map((part, index) => {
    const blocks: Record<string, unknown>[] = [
      ...(index === 0 ? [header] : []),
      ...part.flat(),
      ...(index === parts.length - 1 ? footer : []),
    ];
    const label = parts.length > 1 ? ` (${index + 1}/${parts.length})` : '';
    return { text: `Paperboy: ${heading}${label}`, blocks, unfurl_links: false, unfurl_media: false };
  });
}

function footerBlocks(view: DigestView): Record<string, unknown>[] {
  const more =
    view.omittedCount > 0 ? `And ${view.omittedCount} more in ${mrkdwnLink(view.viewUrl, 'the web view')}. ` : '';
  return [
    { type: 'divider' },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${more}${mrkdwnLink(view.feedUrl, 'Your feed')} · ${mrkdwnLink(view.unsubscribeUrl, 'Unsubscribe')}`,
        },
      ],
    },
  ];
}

function jsonSize(blocks: Record<string, unknown>[]): number {
  return blocks.reduce((total, block) => total + JSON.stringify(block).length + 1, 0);
}

/**
 * Slack refuses a section over 3,000 characters. Each piece is escaped, then held to its own share, so the
 * whole fits without cutting the text after it is put together (which could cut a <url|title> link in two).
 */
const SECTION_SHARES = { title: 600, url: 600, authors: 400, abstract: 1200 } as const;

// A paper's section shows nothing personal: built once per shared view (see sharedPaperView), so a fan-out
// builds it once per paper and interests, not once per subscriber. Sent as it is, never changed.
const sections = new WeakMap<DigestPaperView, Record<string, unknown>>();

function paperSection(view: DigestPaperView): Record<string, unknown> {
  const paper = sharedPaperView(view);
  let section = sections.get(paper);
  if (section === undefined) {
    section = buildPaperSection(paper);
    sections.set(paper, section);
  }
  return section;
}

function buildPaperSection(paper: DigestPaperView): Record<string, unknown> {
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

/**
 * 👍 / 👎 link buttons: each opens the vote page (one more click records it), so Slack's own fetch of a link
 * records nothing. `action_id`s are unique within a message, as Block Kit requires.
 */
function voteButtons(links: PaperVoteLinks | null, number: number): Record<string, unknown> | null {
  if (!links || links.up.length > MAX_BUTTON_URL || links.down.length > MAX_BUTTON_URL) {
    return null;
  }
  const button = (vote: 'up' | 'down', text: string, url: string): Record<string, unknown> => ({
    type: 'button',
    action_id: `vote-${vote}-${number + 1}`,
    text: { type: 'plain_text', text, emoji: true },
    url,
  });
  return {
    type: 'actions',
    elements: [button('up', '👍 Useful', links.up), button('down', '👎 Not for me', links.down)],
  };
}
