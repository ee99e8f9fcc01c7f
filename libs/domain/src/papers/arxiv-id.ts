/** An arXiv identifier split into the versionless id (the paper's identity) and its version. */
export interface ArxivId {
  id: string;
  version: number | null;
}

// Versions run to a few dozen at most; a bound keeps an absurd one (v99999999999) out of an int column.
const NEW_STYLE = /^((\d\d)(\d\d)\.(\d{4,5}))(?:v([1-9]\d{0,3}))?$/i;
// Old style drops the subject class in its canonical form: math.CA/0611800 -> math/0611800 (archive in lower case).
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)?)(?:\.[a-z-]{2,})?\/(\d{7})(?:v([1-9]\d{0,3}))?$/i;
// URLs first: the bare "arxiv" label below would otherwise eat the "arxiv" of "arxiv.org/abs/…".
// Only these hosts and paths: an id-shaped path on any other site (example.org/abs/2410.17243) is not read.
const URL_PREFIXES = [
  /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html|ps|format)\//i,
  /^(?:https?:\/\/)?browse\.arxiv\.org\/abs\//i,
  /^(?:https?:\/\/)?(?:www\.)?(?:huggingface|hf)\.co\/papers\//i,
];
const LABEL_PREFIXES = [
  /^oai:arxiv\.org:/i,
  // "arXiv:2410.17243", "ARXIV: 2410.17243", "arXiv 2410.17243", BibTeX's "arXiv preprint arXiv:2410.17243"
  /^(?:arxiv(?:\s+preprint)?\s*:?\s*)+(?=[\w/])/i,
];
const MAX_INPUT = 300;

/**
 * Parses an arXiv id in the forms seen in the wild ("2410.17243", "arXiv:2410.17243v2 [cs.CL]",
 * "oai:arXiv.org:2410.17243v2", abs/pdf/html URLs with or without www./export., browse.arxiv.org/abs,
 * Hugging Face paper URLs (huggingface.co and hf.co), "hep-th/9901001v1", "math.CA/0611800v2", an id
 * ending a sentence "arXiv:2410.17243."); null when it is not one. A new-style id names a month from
 * 0704 on, with 4 digits after the dot up to 1412 and 5 from 1501 (arXiv's own scheme).
 */
export function parseArxivId(raw: string): ArxivId | null {
  let text = raw.trim();
  if (text.length > MAX_INPUT) {
    return null;
  }
  for (const prefix of URL_PREFIXES) {
    text = text.replace(prefix, '');
  }
  for (const prefix of LABEL_PREFIXES) {
    text = text.replace(prefix, '');
  }
  // What follows the id is not part of it: "2410.17243v2 [cs.CL] 3 Oct 2024", a query, an anchor, a trailing
  // slash, the full stop or comma of a sentence it ends (as parseDoi drops it), a file suffix.
  text = (text.split(/\s/, 1)[0] ?? '')
    .replace(/[?#].*$/, '')
    .replace(/^\/+/, '')
    .replace(/[/.,;]+$/, '')
    .replace(/\.(?:pdf|ps|gz)$/i, '');
  const modern = NEW_STYLE.exec(text);
  if (modern) {
    return isNewStyleNumber(Number(modern[2]), Number(modern[3]), modern[4].length)
      ? { id: modern[1], version: modern[5] ? Number(modern[5]) : null }
      : null;
  }
  const old = OLD_STYLE.exec(text);
  if (old) {
    return { id: `${old[1].toLowerCase()}/${old[2]}`, version: old[3] ? Number(old[3]) : null };
  }
  return null;
}

/** arXiv's new scheme began in April 2007 with 4-digit numbers, and has used 5 digits since January 2015. */
function isNewStyleNumber(year: number, month: number, digits: number): boolean {
  if (month < 1 || month > 12 || year < 7 || (year === 7 && month < 4)) {
    return false;
  }
  return digits === (year >= 15 ? 5 : 4);
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}
