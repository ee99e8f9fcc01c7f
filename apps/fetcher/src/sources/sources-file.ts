import { CronExpressionParser } from 'cron-parser';
import { parse } from 'yaml';
import { isValidTimezone } from '@libs/domain';

export const SOURCE_KINDS = ['hf-daily-papers'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceConfig {
  id: string;
  kind: SourceKind;
  url: string;
  /** Cron pattern (5 or 6 fields) for the fetch schedule. */
  schedule: string;
  timezone: string;
}

export class InvalidSourcesFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`Invalid sources file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidSourcesFileError';
  }
}

type Raw = Record<string, unknown>;

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
    const url = raw.url;
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
      problems.push(`${where}: url must be an http(s) URL (got ${JSON.stringify(url)})`);
    }
    const timezone = raw.timezone ?? 'UTC';
    if (typeof timezone !== 'string' || !isValidTimezone(timezone)) {
      problems.push(`${where}: timezone must be an IANA zone such as Europe/Paris (got ${JSON.stringify(timezone)})`);
    }
    const schedule = raw.schedule;
    if (typeof schedule !== 'string' || !isValidCron(schedule)) {
      problems.push(`${where}: schedule must be a cron pattern such as "0 6 * * *" (got ${JSON.stringify(schedule)})`);
    }
    if (problems.length === before) {
      ids.add(id as string);
      sources.push({
        id: id as string,
        kind: kind as SourceKind,
        url: url as string,
        schedule: schedule as string,
        timezone: timezone as string,
      });
    }
  });
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
