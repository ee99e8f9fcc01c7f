/**
 * Links the pages print. The template engine escapes every attribute; what it cannot judge is where a link
 * goes, so every URL from outside (a source's code or project link) passes `safeUrl`, and the site's own links
 * are built here from a path and query parameters.
 */

/**
 * Only http(s) links from paper metadata: a `javascript:`, `data:` or `vbscript:` URL never becomes a link.
 * The same check as the emails, Slack and feeds make (libs/domain rendering/html.ts).
 */
export { safeUrl } from '@libs/domain';

/** A link of the site: its base path, a path and the query parameters that have a value. */
export function sitePath(base: string, path: string, params: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return `${base}${path}${text ? `?${text}` : ''}`;
}

export function hfPaperUrl(arxivId: string): string {
  return `https://huggingface.co/papers/${encodeURIComponent(arxivId)}`;
}

export function arxivUrl(arxivId: string): string {
  return `https://arxiv.org/abs/${encodeURIComponent(arxivId)}`;
}

export function arxivPdfUrl(arxivId: string): string {
  return `https://arxiv.org/pdf/${encodeURIComponent(arxivId)}`;
}

export function doiLink(doi: string): string {
  return `https://doi.org/${doi}`;
}
