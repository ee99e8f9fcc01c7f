import { ArxivId, parseArxivId } from './arxiv-id';

// "10." + registrant (4 to 9 digits, optionally subdivided: 10.1000.10) + "/" + a suffix without whitespace.
const DOI = /^10\.\d{4,9}(?:\.\d+)*\/\S+$/;
const URL_PREFIX = /^(?:https?:\/\/)?(?:dx\.|www\.)?doi\.org\//i;
const LABEL_PREFIX = /^(?:info:doi\/|urn:doi:|doi\s*:|doi\s+)\s*/i;
// Zero-width space, non-joiner, joiner and the byte-order mark: invisible in a copied DOI, fatal to a lookup.
const ZERO_WIDTH = /[\u200B-\u200D\uFEFF]/g;
// A run of %XX escapes, decoded together so a multi-byte UTF-8 character comes out whole.
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;
const ASCII_ESCAPE = /%[0-7][0-9A-Fa-f]/g;
// arXiv registers a DataCite DOI for every paper: 10.48550/arXiv.2410.17243 is the arXiv id in disguise.
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;
const MAX_DOI = 300;

/**
 * Normalises a DOI in the forms seen in feeds and metadata ("10.1000/ABC", "doi:10.1000/abc", "DOI 10.1000/abc",
 * "https://doi.org/10.1000/ABC", "http://dx.doi.org/…", "doi: https://doi.org/…", percent-encoded or not) to
 * its lower-case, decoded bare form ("10.1000/abc"): DOIs are case-insensitive. Null when it is not one.
 */
export function parseDoi(raw: string): string | null {
  let text = raw.replace(ZERO_WIDTH, '').trim();
  // Labels and resolver URLs come in any order and nesting ("doi: https://doi.org/…", "https://doi.org/doi:…"):
  // strip them until none is left. Each round removes at least one character, so this ends.
  let isUrl = false;
  for (;;) {
    const unprefixed = text.replace(URL_PREFIX, '');
    const unlabelled = unprefixed.replace(LABEL_PREFIX, '');
    if (unlabelled === text) {
      break;
    }
    isUrl ||= unprefixed !== text;
    text = unlabelled;
  }
  if (isUrl) {
    // What follows the DOI in a link is not part of it: a query, an anchor, a trailing slash (".../abc/.").
    text = dropTrailing(text.replace(/[?#].*$/, ''), '/.,;');
  }
  // A resolver URL percent-encodes the suffix (10.1000%2Fabc), and so do some feeds and exports with a bare
  // DOI; the DOI itself is the decoded form, whichever way it came.
  text = percentDecode(text).replace(ZERO_WIDTH, '');
  // A DOI quoted at the end of a sentence picks up its full stop.
  text = dropTrailing(text, '.,;');
  if (text.length > MAX_DOI || !DOI.test(text)) {
    return null;
  }
  return text.toLowerCase();
}

/** The arXiv id behind one of arXiv's own DataCite DOIs (10.48550/arxiv.2410.17243), else null. */
export function arxivIdFromDoi(doi: string): ArxivId | null {
  const match = ARXIV_DOI.exec(doi);
  return match ? parseArxivId(match[1]) : null;
}

/** The resolver link of a normalised DOI, with the characters a URL cannot carry escaped. */
export function doiUrl(doi: string): string {
  return `https://doi.org/${doi.replace(/[%?#"<>\s]/g, (c) => encodeURIComponent(c))}`;
}

/** Without the characters of `chars` at its end; a loop, as /[.,;]+$/ takes quadratic time on a long run of dots. */
function dropTrailing(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) {
    end--;
  }
  return text.slice(0, end);
}

/**
 * Decodes %XX escapes without ever throwing: a run that is not valid UTF-8 ("%E0%A4", "%FF") keeps its
 * non-ASCII escapes as they are, and a lone "%" or "%zz" is left alone.
 */
function percentDecode(text: string): string {
  return text.includes('%') ? text.replace(ESCAPES, decodeRun) : text;
}

function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run.replace(ASCII_ESCAPE, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
  }
}
