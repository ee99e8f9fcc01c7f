import Handlebars from 'handlebars';
import { DigestPaperView, DigestView, sharedPaperView } from './digest-view';
import { DIGEST_EMAIL_HTML } from './email/digest-email.compiled';
import { digestEmailModel, DigestEmailModel, paperEmailModel } from './email/digest-email-model';
import { DIGEST_EMAIL_TEXT } from './email/digest-email.text';
import { escapeHtml } from './html';

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

/**
 * The digest email in pieces: what comes before the papers and after them, and one block per paper,
 * each a frame with holes. A paper's block depends only on the paper (and on whether it says why it
 * matched), never on the subscriber's links, why sentence or the rest of the digest; the text before and
 * after the papers differs between subscribers mostly in their links. So a fan-out can render (and
 * encode) each frame once for every digest that shows it, and fill in the paper's number, its why and
 * the subscriber's links per email.
 * Joined and filled, the pieces are exactly `renderDigestEmail`.
 */
export interface DigestEmailPieces {
  subject: string;
  html: EmailBodyPieces;
  text: EmailBodyPieces;
}

export interface EmailBodyPieces {
  head: EmailFrame;
  papers: EmailFrame[];
  tail: EmailFrame;
}

export interface EmailFrame {
  /** Equal for frames that render the same but for what fills their holes. */
  key: string;
  /** The frame's text split at its holes: one text more than holes; hole i takes `fills[holes[i]]`. */
  render: () => { texts: string[]; holes: number[] };
  /** What the holes take, as the format prints it (escaped in HTML). */
  fills: string[];
}

/** A template's `{{#each papers}}` loop taken apart: the loop's body renders one paper. */
interface SplitTemplate {
  head: HandlebarsTemplateDelegate<DigestEmailModel>;
  paper: HandlebarsTemplateDelegate<DigestEmailModel['papers'][number]>;
  tail: HandlebarsTemplateDelegate<DigestEmailModel>;
  /** How a value prints in this format. */
  print: (value: string) => string;
}

const htmlPieces = splitAtPapers(DIGEST_EMAIL_HTML, options, escapeHtml);
const textPieces = splitAtPapers(DIGEST_EMAIL_TEXT, { ...options, noEscape: true }, (value) => value);

// Holes are control characters: no field holds one, and escaping leaves them as they are. A hole's
// fill is at the index of its character code, less one.
const HOLES = ['number', 'viewUrl', 'manageUrl', 'unsubscribeUrl', 'feedUrl', 'voteUp', 'voteDown', 'why'] as const;
const HOLE = Object.fromEntries(HOLES.map((name, index) => [name, String.fromCharCode(index + 1)])) as Record<
  (typeof HOLES)[number],
  string
>;
// eslint-disable-next-line no-control-regex -- the holes are control characters on purpose (above)
const HOLE_AT = /[\u0001-\u0008]/g;

export function renderDigestEmailPieces(view: DigestView): DigestEmailPieces {
  // One model with holes for the subscriber's links serves the whole email: a paper block's only ones are
  // its vote links and why it is there (a for-you digest's why sentence is the subscriber's own), filled
  // per email like its number.
  const model = digestEmailModel({
    ...view,
    viewUrl: HOLE.viewUrl,
    unsubscribeUrl: HOLE.unsubscribeUrl,
    feedUrl: HOLE.feedUrl,
    manageUrl: view.manageUrl === undefined ? undefined : HOLE.manageUrl,
    votes: view.votes?.map((links) => (links ? { up: HOLE.voteUp, down: HOLE.voteDown } : null)),
  });
  const { papers, ...frame } = model;
  // The model but its papers, with holes for the links: everything the head and tail show.
  const frameKey = JSON.stringify({ ...frame, paperCount: papers.length });
  const keys = papers.map((paper, index) =>
    paperKey(view.papers[index], Boolean(view.votes?.[index]), paper.reasons !== ''),
  );
  const pieces = (template: SplitTemplate): EmailBodyPieces => {
    const links = [view.viewUrl, view.manageUrl ?? '', view.unsubscribeUrl, view.feedUrl].map(template.print);
    return {
      head: { key: `head:${frameKey}`, render: () => splitAtHoles(template.head(model)), fills: ['', ...links] },
      papers: papers.map((paper, index) => {
        const votes = view.votes?.[index];
        return {
          key: keys[index],
          render: () =>
            splitAtHoles(
              template.paper({
                ...paper,
                number: HOLE.number as unknown as number,
                reasons: paper.reasons === '' ? '' : HOLE.why,
              }),
            ),
          fills: [
            String(paper.number),
            '',
            '',
            '',
            '',
            votes ? template.print(votes.up) : '',
            votes ? template.print(votes.down) : '',
            template.print(paper.reasons),
          ],
        };
      }),
      tail: { key: `tail:${frameKey}`, render: () => splitAtHoles(template.tail(model)), fills: ['', ...links] },
    };
  };
  return { subject: model.subject, html: pieces(htmlPieces), text: pieces(textPieces) };
}

// Everything a block shows but its number, vote links and reasons; one key serves both formats. Kept per
// shared view (see sharedPaperView), so every subscriber's view of the paper brings the same string, whose
// hash is then computed once. The same block with or without its vote holes, or its why hole, makes
// different frames, each with its key kept.
const paperKeys = [0, 1, 2, 3].map(() => new WeakMap<DigestPaperView, string>());

function paperKey(view: DigestPaperView, voted: boolean, why: boolean): string {
  const paper = sharedPaperView(view);
  const keys = paperKeys[(voted ? 1 : 0) + (why ? 2 : 0)];
  let key = keys.get(paper);
  if (key === undefined) {
    key = `${JSON.stringify(paperEmailModel(paper))}${voted ? '\nvotes' : ''}${why ? '\nwhy' : ''}`;
    keys.set(paper, key);
  }
  return key;
}

function splitAtHoles(rendered: string): { texts: string[]; holes: number[] } {
  const texts: string[] = [];
  const holes: number[] = [];
  let from = 0;
  for (const hole of rendered.matchAll(HOLE_AT)) {
    texts.push(rendered.slice(from, hole.index));
    holes.push(hole[0].charCodeAt(0) - 1);
    from = hole.index + 1;
  }
  texts.push(rendered.slice(from));
  return { texts, holes };
}

function splitAtPapers(
  source: string,
  compileOptions: typeof options & { noEscape?: boolean },
  print: (value: string) => string,
): SplitTemplate {
  const open = '{{#each papers}}';
  const start = source.indexOf(open);
  // The loop's own {{/each}}: the first one not closing an {{#each}} nested in it.
  const tag = /{{#each\b|{{\/each}}/g;
  tag.lastIndex = start + open.length;
  let depth = 1;
  let at = -1;
  while (depth > 0) {
    const found = start < 0 ? null : tag.exec(source);
    if (!found) {
      throw new Error('An email template has no {{#each papers}} … {{/each}} loop');
    }
    depth += found[0] === '{{/each}}' ? -1 : 1;
    at = found.index;
  }
  // Handlebars drops a block tag's line when the tag stands alone on it; the split keeps that.
  const [head, paper, tail] = [
    source.slice(0, start),
    source.slice(start + open.length, at),
    source.slice(at + '{{/each}}'.length),
  ];
  const aloneAfter = (text: string): boolean => /(^|\n)[ \t]*$/.test(text);
  const aloneBefore = (text: string): boolean => /^[ \t]*(\r?\n|$)/.test(text);
  const openAlone = aloneAfter(head) && aloneBefore(paper);
  const closeAlone = aloneAfter(paper) && aloneBefore(tail);
  const trimLineEnd = (text: string): string => text.replace(/[ \t]*$/, '');
  const trimLineStart = (text: string): string => text.replace(/^[ \t]*(\r?\n)?/, '');
  return {
    head: handlebars.compile(openAlone ? trimLineEnd(head) : head, compileOptions),
    paper: handlebars.compile(
      (closeAlone ? trimLineEnd : String)(openAlone ? trimLineStart(paper) : paper),
      compileOptions,
    ),
    tail: handlebars.compile(closeAlone ? trimLineStart(tail) : tail, compileOptions),
    print,
  };
}
