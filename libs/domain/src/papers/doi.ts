import { ArxivId, parseArxivId } from './arxiv-id';

// "10." + registrant (4 to 9 digits, optionally subdivided: 10.1000.10) + "/" + a suffix without whitespace.
const DOI = /^10\.\d{4,9}(?:\.\d+)*\/\S+$/;
const URL_PREFIX = /^(?:https?:\/\/)?(?:dx\.|www\.)?doi\.org\//i;
const LABEL_PREFIXES = [/^info:doi\//i, /^urn:doi:/i, /^doi\s*:\s*/i, /^doi\s+/i];
// arXiv registers a DataCite DOI for every paper: 10.48550/arXiv.2410.17243 is the arXiv id in disguise.
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;
const MAX_DOI = 300;

/**
 * Normalises a DOI in the forms seen in feeds and metadata ("10.1000/ABC", "doi:10.1000/abc", "DOI 10.1000/abc",
 * "https://doi.org/10.1000/ABC", "http://dx.doi.org/…") to its lower-case bare form ("10.1000/abc"): DOIs are
 * case-insensitive. Null when it is not one.
 */
export function parseDoi(raw: string): string | null {
  let text = raw.trim();
  const isUrl = URL_PREFIX.test(text);
  text = text.replace(URL_PREFIX, '');
  for (const prefix of LABEL_PREFIXES) {
    text = text.replace(prefix, '');
  }
  if (isUrl) {
    // A resolver URL percent-encodes the suffix (10.1000%2Fabc); the DOI itself is not encoded.
    text = safeDecode(text.replace(/[?#].*$/, ''));
  }
  // A DOI quoted at the end of a sentence picks up its full stop.
  text = text.replace(/[.,;]+$/, '');
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

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
