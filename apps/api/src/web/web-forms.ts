import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  detectSeedFormat,
  MAX_SEED_FILE_BYTES,
  MAX_SEEDS,
  parseSeedFile,
  SeedFileError,
  type SeedEntry,
  TOPIC_SLUGS,
} from '@libs/domain';
import { oneMessagePerField } from '../http/validation';

/** What a subscribe or manage form holds, as typed (strings), so a refused form comes back as it was sent. */
export interface FormValues {
  email: string;
  slackWebhookUrl: string;
  topics: string[];
  /** Topics whose papers are left out even when they match. */
  excludeTopics: string[];
  /** One query a line. */
  keywords: string;
  frequency: string;
  weekday: string;
  timezone: string;
  sendHour: string;
  maxPapers: string;
  minUpvotes: string;
  /** One name a line. */
  followedAuthors: string;
  /** Seed papers pasted: arXiv ids, DOIs or URLs, one a line (the file upload is read apart). */
  seedPapers: string;
}

export type FieldErrors = Partial<Record<keyof FormValues, string[]>>;

export const DEFAULT_FORM: FormValues = {
  email: '',
  slackWebhookUrl: '',
  topics: [],
  excludeTopics: [],
  keywords: '',
  frequency: 'daily',
  weekday: '1',
  timezone: 'UTC',
  sendHour: '8',
  maxPapers: '20',
  minUpvotes: '0',
  followedAuthors: '',
  seedPapers: '',
};

const text = (value: unknown): string =>
  typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '';

/** A urlencoded checkbox group arrives as nothing, one string or an array of strings. */
const checked = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((t): t is string => typeof t === 'string');

export function readForm(body: unknown): FormValues {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    email: text(fields.email),
    slackWebhookUrl: text(fields.slackWebhookUrl),
    topics: checked(fields.topics),
    excludeTopics: checked(fields.excludeTopics),
    keywords: text(fields.keywords),
    frequency: text(fields.frequency),
    weekday: text(fields.weekday),
    timezone: text(fields.timezone),
    sendHour: text(fields.sendHour),
    maxPapers: text(fields.maxPapers),
    minUpvotes: text(fields.minUpvotes),
    followedAuthors: text(fields.followedAuthors),
    seedPapers: text(fields.seedPapers),
  };
}

/**
 * The query fields a page reads, each given at most once: a repeated one (`?page=1&page=2`) is named rather
 * than one of its values picked. Blank fields count as absent; fields the page does not read (utm_*) are ignored.
 * `problems` names fields of the wrong form (repeated, with a NUL); the DTO then checks the values.
 */
export function readQuery(
  query: Record<string, unknown>,
  names: string[],
): { fields: Record<string, unknown>; problems: string[] } {
  const fields: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of names) {
    const value = query[name];
    if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
      problems.push(`${name} must be given once`);
    } else if (typeof value === 'string' && value.includes('\u0000')) {
      // Postgres refuses NUL in text: named here rather than failing the query.
      problems.push(`${name} must not contain a NUL character`);
    } else if (value !== undefined && value !== '') {
      fields[name] = value;
    }
  }
  return { fields, problems };
}

/** A blank field keeps its default; a whole number becomes a number; anything else stays for the validator to name. */
const number = (value: string): number | string | undefined => {
  const trimmed = value.trim();
  if (trimmed === '') {
    return undefined;
  }
  return /^-?\d{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
};
const lines = (value: string): string[] =>
  value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
const optional = (value: string): string | undefined => (value.trim() === '' ? undefined : value);

/** The JSON the API would have received for this form; `channels` only on the subscribe form. */
export function formToBody(values: FormValues, channels: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    topics: values.topics,
    excludeTopics: values.excludeTopics,
    keywords: values.keywords
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    frequency: optional(values.frequency),
    weekday: number(values.weekday),
    timezone: optional(values.timezone.trim()),
    sendHour: number(values.sendHour),
    maxPapers: number(values.maxPapers),
    minUpvotes: number(values.minUpvotes),
    followedAuthors: lines(values.followedAuthors),
  };
  if (channels) {
    body.email = optional(values.email);
    body.slackWebhookUrl = optional(values.slackWebhookUrl);
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/** The API's DTO rules (the same decorators, the same message per field), with each message kept by its field. */
export async function validateBody<T extends object>(
  dto: new () => T,
  body: Record<string, unknown>,
): Promise<{ value: T; errors: FieldErrors }> {
  const value = plainToInstance(dto, body);
  const failures = await validate(value, { whitelist: true, forbidNonWhitelisted: true });
  const errors: FieldErrors = {};
  for (const failure of failures) {
    const field = failure.property as keyof FormValues;
    errors[field] = [...(errors[field] ?? []), ...oneMessagePerField([failure])];
  }
  return { value, errors };
}

export const isTopicSlug = (value: unknown): boolean =>
  typeof value === 'string' && (TOPIC_SLUGS as readonly string[]).includes(value);

/** A file uploaded with a form (multer's memory storage): what the seed-paper upload reads of it. */
export interface UploadedSeedFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}

/**
 * The seed papers of a form: the pasted lines, then the uploaded file (BibTeX, CSL JSON, RIS or a list of ids,
 * told by its name or first line). The first line or entry that cannot be read is named, and nothing of the form's
 * seeds is used then (`error`).
 */
export function readSeeds(
  pasted: string,
  file: UploadedSeedFile | undefined,
): { entries: SeedEntry[]; error: string | null } {
  try {
    const entries = parseSeedFile('ids', pasted).map((entry) => ({ ...entry, where: `pasted ${entry.where}` }));
    if (file && file.size > 0) {
      const name = file.originalname || 'the file';
      if (file.size > MAX_SEED_FILE_BYTES) {
        return { entries: [], error: `${name} is larger than 2 MB; no seed was stored` };
      }
      const content = file.buffer.toString('utf8');
      const format = detectSeedFormat(file.originalname, content);
      if (!format) {
        return {
          entries: [],
          error: `${name}: not a BibTeX (.bib), CSL JSON (.json, Zotero's export), RIS (.ris) or id list (.txt) file; no seed was stored`,
        };
      }
      try {
        entries.push(
          ...parseSeedFile(format, content).map((entry) => ({ ...entry, where: `${name}: ${entry.where}` })),
        );
      } catch (error) {
        if (error instanceof SeedFileError) {
          return { entries: [], error: `${name}: ${error.message}; no seed was stored` };
        }
        throw error;
      }
    }
    if (entries.length > MAX_SEEDS) {
      return {
        entries: [],
        error: `${entries.length} seed papers: at most ${MAX_SEEDS} at a time; no seed was stored`,
      };
    }
    return { entries, error: null };
  } catch (error) {
    if (error instanceof SeedFileError) {
      return { entries: [], error: `Pasted papers, ${error.message}; no seed was stored` };
    }
    throw error;
  }
}
