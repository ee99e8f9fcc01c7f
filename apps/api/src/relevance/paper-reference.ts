import type { PaperReference } from '@libs/database';
import { arxivIdFromDoi, parseArxivId, parseDoi } from '@libs/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a reader typed to name a paper, read as a Paperboy id, an arXiv id or URL, or a DOI; null when none. */
export function paperReference(raw: string): PaperReference | null {
  const text = raw.trim();
  if (UUID.test(text)) {
    return { id: text.toLowerCase() };
  }
  const arxiv = parseArxivId(text);
  if (arxiv) {
    return { arxivId: arxiv.id };
  }
  const doi = parseDoi(text);
  if (!doi) {
    return null;
  }
  // arXiv's own DOI (10.48550/arXiv.…) names the arXiv paper.
  const fromDoi = arxivIdFromDoi(doi);
  return fromDoi ? { arxivId: fromDoi.id } : { doi };
}
