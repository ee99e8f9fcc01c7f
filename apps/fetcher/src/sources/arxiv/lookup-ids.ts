import { parseArxivId, PermanentError } from '@libs/domain';

/** Ids in one lookup job: ten requests to the arXiv API, half a minute at its pace. */
export const MAX_LOOKUP_IDS = 1000;

/**
 * The arXiv ids to look up, in any form an operator pastes (`arXiv:2410.17243v2`, abs URLs, old style),
 * as the API wants them: without a version (the latest) unless one was named; each paper once.
 */
export function parseLookupIds(raw: string[]): string[] {
  const wrong: string[] = [];
  const ids = new Map<string, string>();
  for (const text of raw) {
    const parsed = parseArxivId(text);
    if (!parsed) {
      wrong.push(JSON.stringify(text.slice(0, 80)));
    } else if (!ids.has(parsed.id) || parsed.version !== null) {
      ids.set(parsed.id, parsed.version === null ? parsed.id : `${parsed.id}v${parsed.version}`);
    }
  }
  if (wrong.length > 0) {
    throw new PermanentError(`Not arXiv ids: ${wrong.join(', ')}`);
  }
  if (ids.size === 0) {
    throw new PermanentError('No arXiv id to look up');
  }
  if (ids.size > MAX_LOOKUP_IDS) {
    throw new PermanentError(`${ids.size} arXiv ids in one lookup: at most ${MAX_LOOKUP_IDS}, split them`);
  }
  return [...ids.values()];
}
