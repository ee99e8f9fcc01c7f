import { parseArxivId } from './arxiv-id';
import { arxivIdFromDoi, parseDoi } from './doi';

/** The identifiers a paper is known by, normalised: arXiv id without version, lower-case bare DOI. */
export interface PaperIdentifiers {
  arxivId: string | null;
  /** The arXiv version the listing is of, when known. */
  version: number | null;
  doi: string | null;
}

export interface ListingIdentifierFields {
  arxivId: string | null;
  arxivVersion: number | null;
  doi: string | null;
  url: string | null;
}

export type IdentifiersResult = { ok: true; identifiers: PaperIdentifiers } | { ok: false; reason: string };

/**
 * Normalises the identifiers a source stored with a listing. An identifier that is present but unreadable is a
 * reason to reject the listing rather than to guess: a wrong identity merges two papers. arXiv's own DataCite
 * DOIs become the arXiv id; a listing without identifiers may still carry one in its link (arxiv.org, doi.org).
 */
export function normaliseListingIdentifiers(listing: ListingIdentifierFields): IdentifiersResult {
  let arxivId: string | null = null;
  let version: number | null = null;
  let doi: string | null = null;
  if (present(listing.arxivId)) {
    const parsed = parseArxivId(listing.arxivId);
    if (!parsed) {
      return {
        ok: false,
        reason: `unparseable arXiv id ${quote(listing.arxivId)} (expected e.g. 2410.17243 or hep-th/9901001)`,
      };
    }
    arxivId = parsed.id;
    version = parsed.version;
  }
  if (present(listing.doi)) {
    const parsed = parseDoi(listing.doi);
    if (!parsed) {
      return { ok: false, reason: `unparseable DOI ${quote(listing.doi)} (expected 10.<registrant>/<suffix>)` };
    }
    const behind = arxivIdFromDoi(parsed);
    if (behind && arxivId && behind.id !== arxivId) {
      return {
        ok: false,
        reason: `DOI ${parsed} names arXiv paper ${behind.id}, but the listing's arXiv id is ${arxivId}`,
      };
    }
    if (behind) {
      arxivId = behind.id;
      version = version ?? behind.version;
    } else {
      doi = parsed;
    }
  }
  if (!arxivId && !doi && present(listing.url)) {
    const fromUrl = identifiersInUrl(listing.url);
    arxivId = fromUrl.arxivId;
    version = fromUrl.version;
    doi = fromUrl.doi;
  }
  if (isVersion(listing.arxivVersion) && arxivId) {
    version = listing.arxivVersion;
  }
  return { ok: true, identifiers: { arxivId, version, doi } };
}

/** An arXiv id or DOI in a link to arxiv.org, browse.arxiv.org, huggingface.co/papers, hf.co/papers or doi.org; nothing from any other link. */
function identifiersInUrl(url: string): PaperIdentifiers {
  const none = { arxivId: null, version: null, doi: null };
  if (!/^https?:\/\//i.test(url.trim())) {
    return none;
  }
  const arxiv = parseArxivId(url);
  if (arxiv) {
    return { arxivId: arxiv.id, version: arxiv.version, doi: null };
  }
  const doi = parseDoi(url);
  if (!doi) {
    return none;
  }
  const behind = arxivIdFromDoi(doi);
  return behind ? { arxivId: behind.id, version: behind.version, doi: null } : { ...none, doi };
}

function present(value: string | null): value is string {
  return value !== null && value.trim() !== '';
}

function isVersion(value: number | null): value is number {
  return value !== null && Number.isInteger(value) && value >= 1;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
