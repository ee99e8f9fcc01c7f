import { CronExpressionParser } from 'cron-parser';
import { parse } from 'yaml';
import { isValidTimezone } from '@libs/domain';

export const SOURCE_KINDS = ['hf-daily-papers', 'arxiv-rss', 'arxiv-api', 'rss'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceConfig {
  id: string;
  kind: SourceKind;
  url: string;
  /** Cron pattern (5 or 6 fields) for the fetch schedule. */
  schedule: string;
  timezone: string;
  /** An arxiv-api source that looks up the arXiv ids this source lists (their categories, comments, all authors). */
  lookupWith?: string;
}

/** Kinds whose listings carry arXiv ids worth completing from the arXiv API. */
const LOOKUP_KINDS: readonly string[] = ['hf-daily-papers', 'rss'];

export class InvalidSourcesFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`Invalid sources file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidSourcesFileError';
  }
}

type Raw = Record<string, unknown>;

// An arXiv archive or subject class: "cs", "cs.LG", "hep-th", "math.AP".
const ARXIV_CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
// The arxiv-api client sets these itself for each listing date and page.
const ARXIV_API_RESERVED = ['id_list', 'start', 'max_results', 'sortBy', 'sortOrder'];

/**
 * An arxiv-api source selects papers with the API's `search_query` (without a date: the fetcher adds
 * `submittedDate` for each listing date), given either in its url or as `categories`, which becomes
 * `search_query=cat:A OR cat:B`. Storing the selection in the url keeps one place for it.
 */
function arxivApiUrl(raw: Raw, url: string, where: string, problems: string[]): string {
  const categories = raw.categories;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(`${where}: url is not a valid URL (got ${JSON.stringify(url)})`);
    return url;
  }
  if (categories !== undefined) {
    if (
      !Array.isArray(categories) ||
      categories.length === 0 ||
      !categories.every((c) => typeof c === 'string' && ARXIV_CATEGORY.test(c))
    ) {
      problems.push(
        `${where}: categories must be a list of arXiv categories such as [cs.LG, cs.CL] (got ${JSON.stringify(categories)})`,
      );
      return url;
    }
    if (parsed.searchParams.has('search_query')) {
      problems.push(`${where}: give either categories or a search_query in the url, not both`);
      return url;
    }
    parsed.searchParams.set('search_query', (categories as string[]).map((category) => `cat:${category}`).join(' OR '));
  }
  const query = parsed.searchParams.get('search_query');
  if (query === null || query.trim() === '') {
    problems.push(`${where}: an arxiv-api source needs categories or a search_query in its url`);
  } else if (/submittedDate/i.test(query)) {
    problems.push(`${where}: search_query must not filter on submittedDate: the fetcher adds each listing date`);
  }
  const reserved = ARXIV_API_RESERVED.filter((name) => parsed.searchParams.has(name));
  if (reserved.length > 0) {
    problems.push(`${where}: the url must not set ${reserved.join(', ')}: the fetcher sets them`);
  }
  return parsed.toString();
}

/** Parses and validates the sources file; every problem is reported with where it is. */
export function parseSourcesFile(content: string, file: string): SourceConfig[] {
  let document: unknown;
  try {
    document = parse(content);
  } catch (error) {
    throw new InvalidSourcesFileError(file, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const list = (document as Raw | null)?.sources;
  if (!Array.isArray(list)) {
    throw new InvalidSourcesFileError(file, ['expected a top-level "sources:" list']);
  }
  const problems: string[] = [];
  const sources: SourceConfig[] = [];
  const ids = new Set<string>();
  list.forEach((item: unknown, index) => {
    const raw = (typeof item === 'object' && item !== null ? item : {}) as Raw;
    const where = `sources[${index}]${typeof raw.id === 'string' ? ` (${raw.id})` : ''}`;
    const before = problems.length;
    const id = raw.id;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) {
      problems.push(`${where}: id must be lower-case letters, digits and dashes (got ${JSON.stringify(id)})`);
    } else if (ids.has(id)) {
      problems.push(`${where}: id "${id}" is used twice`);
    }
    const kind = raw.kind;
    if (typeof kind !== 'string' || !(SOURCE_KINDS as readonly string[]).includes(kind)) {
      problems.push(`${where}: kind must be one of ${SOURCE_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
    }
    let url = raw.url;
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
      problems.push(`${where}: url must be an http(s) URL (got ${JSON.stringify(url)})`);
    } else if (kind === 'arxiv-api') {
      url = arxivApiUrl(raw, url, where, problems);
    } else if (raw.categories !== undefined) {
      problems.push(`${where}: categories apply to arxiv-api sources only (the arxiv-rss url names its categories)`);
    }
    const timezone = raw.timezone ?? 'UTC';
    if (typeof timezone !== 'string' || !isValidTimezone(timezone)) {
      problems.push(`${where}: timezone must be an IANA zone such as Europe/Paris (got ${JSON.stringify(timezone)})`);
    }
    const schedule = raw.schedule;
    if (typeof schedule !== 'string' || !isValidCron(schedule)) {
      problems.push(`${where}: schedule must be a cron pattern such as "0 6 * * *" (got ${JSON.stringify(schedule)})`);
    }
    const lookupWith = raw.lookupWith;
    if (lookupWith !== undefined) {
      if (typeof kind === 'string' && !LOOKUP_KINDS.includes(kind)) {
        problems.push(`${where}: lookupWith applies to ${LOOKUP_KINDS.join(' and ')} sources only`);
      } else if (typeof lookupWith !== 'string' || lookupWith === '') {
        problems.push(`${where}: lookupWith must be the id of an arxiv-api source (got ${JSON.stringify(lookupWith)})`);
      }
    }
    if (problems.length === before) {
      ids.add(id as string);
      sources.push({
        id: id as string,
        kind: kind as SourceKind,
        url: url as string,
        schedule: schedule as string,
        timezone: timezone as string,
        ...(typeof lookupWith === 'string' ? { lookupWith } : {}),
      });
    }
  });
  for (const source of sources) {
    const target = sources.find((candidate) => candidate.id === source.lookupWith);
    if (source.lookupWith !== undefined && target?.kind !== 'arxiv-api') {
      problems.push(
        `sources (${source.id}): lookupWith "${source.lookupWith}" must be the id of an arxiv-api source in this file`,
      );
    }
  }
  if (problems.length > 0) {
    throw new InvalidSourcesFileError(file, problems);
  }
  return sources;
}

function isValidCron(pattern: string): boolean {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    return false;
  }
  try {
    CronExpressionParser.parse(pattern);
    return true;
  } catch {
    return false;
  }
}
