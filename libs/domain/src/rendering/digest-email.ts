import Handlebars from 'handlebars';
import { DigestView } from './digest-view';
import { DIGEST_EMAIL_HTML } from './email/digest-email.compiled';
import { digestEmailModel, DigestEmailModel } from './email/digest-email-model';
import { DIGEST_EMAIL_TEXT } from './email/digest-email.text';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

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
 * The digest email in pieces: what comes before the papers and after them, and one block per paper.
 * A paper's block depends only on the paper and on why it matched, never on the subscriber's links or
 * the rest of the digest, so a fan-out can render (and encode) each block once for every digest that
 * shows it; its number is left as a hole (`numberHole`). Joined, the pieces are exactly
 * `renderDigestEmail`.
 */
export interface DigestEmailPieces {
  subject: string;
  html: EmailBodyPieces;
  text: EmailBodyPieces;
}

export interface EmailBodyPieces {
  head: string;
  papers: PaperBlock[];
  tail: string;
}

export interface PaperBlock {
  number: number;
  /** Equal for blocks that render the same (the format aside). */
  key: string;
  /** The block as [before its number, after it]. */
  render: () => [string, string];
}

/** A template's `{{#each papers}}` loop taken apart: the loop's body renders one paper. */
interface SplitTemplate {
  head: HandlebarsTemplateDelegate<DigestEmailModel>;
  paper: HandlebarsTemplateDelegate<DigestEmailModel['papers'][number]>;
  tail: HandlebarsTemplateDelegate<DigestEmailModel>;
}

const htmlPieces = splitAtPapers(DIGEST_EMAIL_HTML, options);
const textPieces = splitAtPapers(DIGEST_EMAIL_TEXT, { ...options, noEscape: true });
// A control character: no field holds one, and escaping leaves it as it is.
const NUMBER_HOLE = '\u0001';

export function renderDigestEmailPieces(view: DigestView): DigestEmailPieces {
  const model = digestEmailModel(view);
  // Everything a block shows but its number; one key serves both formats.
  const keys = model.papers.map(({ number: _, ...shown }) => JSON.stringify(shown));
  const pieces = (template: SplitTemplate): EmailBodyPieces => ({
    head: template.head(model),
    papers: model.papers.map((paper, index) => {
      const number = paper.number;
      return {
        number,
        key: keys[index],
        render: () =>
          template.paper({ ...paper, number: NUMBER_HOLE as unknown as number }).split(NUMBER_HOLE) as [string, string],
      };
    }),
    tail: template.tail(model),
  });
  return { subject: model.subject, html: pieces(htmlPieces), text: pieces(textPieces) };
}

function splitAtPapers(source: string, compileOptions: typeof options & { noEscape?: boolean }): SplitTemplate {
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
  };
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
