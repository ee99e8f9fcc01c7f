import type { PaperReference } from '@libs/database';
import { seedIdentifier } from '@libs/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a reader typed to name a paper, read as a Paperboy id, an arXiv id or URL, or a DOI; null when none. */
export function paperReference(raw: string): PaperReference | null {
  const text = raw.trim();
  return UUID.test(text) ? { id: text.toLowerCase() } : seedIdentifier(text);
}
