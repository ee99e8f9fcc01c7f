import { parseArxivId } from '../papers/arxiv-id';
import { arxivIdFromDoi, parseDoi } from '../papers/doi';

/** What a seed names: an arXiv id (versionless) or a DOI. */
export type SeedIdentifier = { arxivId: string } | { doi: string };

export interface SeedEntry {
  /** Where it is in what the subscriber sent, in their terms: "line 3", "entry smith2024 (line 12)", "item 4". */
  where: string;
  /** Null when the entry names no arXiv id or DOI (a book, say): reported, not an error. */
  identifier: SeedIdentifier | null;
}

export type SeedFormat = 'ids' | 'bibtex' | 'csl-json' | 'ris';
export const SEED_FORMATS: readonly SeedFormat[] = ['ids', 'bibtex', 'csl-json', 'ris'];
export const MAX_SEEDS = 500;
export const MAX_SEED_FILE_BYTES = 2 * 1024 * 1024;

/** A file that cannot be read as its format, naming the line or entry; nothing of it is used. */
export class SeedFileError extends Error {}

/** The arXiv id or DOI in a string: an id, an arXiv / Hugging Face / DOI URL, "arXiv:…", arXiv's own DOI. */
export function seedIdentifier(text: string): SeedIdentifier | null {
  const arxiv = parseArxivId(text);
  if (arxiv) {
    return { arxivId: arxiv.id };
  }
  const doi = parseDoi(text);
  if (!doi) {
    return null;
  }
  const fromDoi = arxivIdFromDoi(doi);
  return fromDoi ? { arxivId: fromDoi.id } : { doi };
}

/**
 * Reads a list of papers a subscriber likes, in one of the formats people have them in: pasted ids or
 * URLs (one per line; blank lines and # comments ignored), BibTeX, CSL JSON (Zotero's export) or RIS.
 * Throws SeedFileError naming the first line or entry it cannot read, or when there are more than
 * MAX_SEEDS entries.
 */
export function parseSeedFile(format: SeedFormat, content: string): SeedEntry[] {
  const entries = PARSERS[format](content.replace(/^\uFEFF/, ''));
  if (entries.length > MAX_SEEDS) {
    throw new SeedFileError(`${entries.length} entries: at most ${MAX_SEEDS} seed papers at a time`);
  }
  return entries;
}

const PARSERS: Record<SeedFormat, (content: string) => SeedEntry[]> = {
  ids: parseIds,
  bibtex: parseBibtex,
  'csl-json': parseCslJson,
  ris: parseRis,
};

function parseIds(content: string): SeedEntry[] {
  const entries: SeedEntry[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      return;
    }
    const identifier = seedIdentifier(line);
    if (!identifier) {
      throw new SeedFileError(
        `line ${index + 1}: ${JSON.stringify(line.slice(0, 100))} is not an arXiv id, DOI, or arXiv, Hugging Face or DOI URL`,
      );
    }
    entries.push({ where: `line ${index + 1}`, identifier });
  });
  return entries;
}

/** The first identifier among candidate strings. */
function firstIdentifier(candidates: readonly (string | undefined)[]): SeedIdentifier | null {
  for (const candidate of candidates) {
    const identifier = candidate ? seedIdentifier(candidate) : null;
    if (identifier) {
      return identifier;
    }
  }
  return null;
}

/**
 * BibTeX: `@type{key, field = {value} | "value" | bare, …}`; @comment, @string and @preamble are
 * skipped. The id comes from eprint (arXiv), doi, url, or an "arXiv:…" in journal or note.
 */
function parseBibtex(content: string): SeedEntry[] {
  const entries: SeedEntry[] = [];
  let at = 0;
  // Counted on from the last entry, and the header matched in place: slicing from the start of the content
  // for each entry made a 2 MB file of small entries take minutes.
  let counted = 0;
  let line = 1;
  const lineOf = (offset: number): number => {
    for (; counted < offset; counted++) {
      line += content.charCodeAt(counted) === 10 ? 1 : 0;
    }
    return line;
  };
  const headerAt = /@\s*([A-Za-z]+)\s*([{(])/y;
  for (;;) {
    const start = content.indexOf('@', at);
    if (start < 0) {
      return entries;
    }
    headerAt.lastIndex = start;
    const header = headerAt.exec(content);
    if (!header) {
      throw new SeedFileError(`line ${lineOf(start)}: "@" does not start an entry (expected @type{key, …})`);
    }
    const type = header[1].toLowerCase();
    const close = header[2] === '{' ? '}' : ')';
    const bodyStart = start + header[0].length;
    const end = matchingClose(content, bodyStart, header[2] as '{' | '(', close);
    if (end < 0) {
      throw new SeedFileError(`line ${lineOf(start)}: the @${header[1]} entry is never closed (unbalanced braces)`);
    }
    at = end + 1;
    if (type === 'comment' || type === 'string' || type === 'preamble') {
      continue;
    }
    const body = content.slice(bodyStart, end);
    const comma = body.indexOf(',');
    const key = (comma < 0 ? body : body.slice(0, comma)).trim();
    if (key === '' || /[\s={}"]/.test(key)) {
      throw new SeedFileError(`line ${lineOf(start)}: the @${header[1]} entry has no citation key`);
    }
    const fields = bibtexFields(comma < 0 ? '' : body.slice(comma + 1), key, lineOf(start));
    const eprint = fields.get('eprint');
    const identifier = firstIdentifier([
      eprint && /arxiv/i.test(fields.get('archiveprefix') ?? fields.get('eprinttype') ?? 'arxiv') ? eprint : undefined,
      fields.get('doi'),
      fields.get('url'),
      fields.get('journal'),
      fields.get('note'),
    ]);
    entries.push({ where: `entry ${key} (line ${lineOf(start)})`, identifier });
  }
}

/** Where the brace (or parenthesis, outside braces) opened before `from` closes, or -1. */
function matchingClose(content: string, from: number, open: '{' | '(', close: '}' | ')'): number {
  let depth = 1;
  let braces = 0;
  for (let i = from; i < content.length; i++) {
    const char = content[i];
    if (char === '\\') {
      i += 1;
    } else if (open === '{') {
      depth += char === '{' ? 1 : char === '}' ? -1 : 0;
      if (depth === 0) {
        return i;
      }
    } else if (char === '{' || char === '}') {
      braces += char === '{' ? 1 : -1;
    } else if (braces === 0 && (char === '(' || char === close)) {
      depth += char === '(' ? 1 : -1;
      if (depth === 0) {
        return i;
      }
    }
  }
  return -1;
}

function bibtexFields(text: string, key: string, line: number): Map<string, string> {
  const fields = new Map<string, string>();
  let i = 0;
  const fail = (what: string): never => {
    throw new SeedFileError(`entry ${key} (line ${line}): ${what}`);
  };
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i])) {
      i += 1;
    }
    if (i >= text.length) {
      break;
    }
    const name = /^([A-Za-z][\w-]*)\s*=\s*/.exec(text.slice(i));
    if (!name) {
      fail(`expected a field (name = value) at ${JSON.stringify(text.slice(i, i + 30))}`);
    }
    i += name![0].length;
    let value = '';
    // A value is parts joined by #: {braced}, "quoted", or a bare number or @string name.
    for (;;) {
      if (text[i] === '{') {
        const end = matchingClose(text, i + 1, '{', '}');
        if (end < 0) {
          fail(`the value of ${name![1]} is never closed`);
        }
        value += text.slice(i + 1, end);
        i = end + 1;
      } else if (text[i] === '"') {
        let end = i + 1;
        let depth = 0;
        while (end < text.length && (text[end] !== '"' || depth > 0)) {
          depth += text[end] === '{' ? 1 : text[end] === '}' ? -1 : 0;
          end += text[end] === '\\' ? 2 : 1;
        }
        if (end >= text.length) {
          fail(`the value of ${name![1]} is never closed`);
        }
        value += text.slice(i + 1, end);
        i = end + 1;
      } else {
        const bare = /^[\w.:/-]+/.exec(text.slice(i));
        if (!bare) {
          fail(`the value of ${name![1]} is missing`);
        }
        value += bare![0];
        i += bare![0].length;
      }
      while (i < text.length && /\s/.test(text[i])) {
        i += 1;
      }
      if (text[i] !== '#') {
        break;
      }
      i += 1;
      while (i < text.length && /\s/.test(text[i])) {
        i += 1;
      }
    }
    if (i < text.length && text[i] !== ',') {
      fail(`expected a comma after the value of ${name![1]}`);
    }
    fields.set(name![1].toLowerCase(), value.replace(/[{}]/g, '').trim());
  }
  return fields;
}

/** CSL JSON (Zotero's "Better CSL JSON" and plain export): an array of items; ids from DOI, URL, number, note. */
function parseCslJson(content: string): SeedEntry[] {
  let items: unknown;
  try {
    items = JSON.parse(content);
  } catch (error) {
    throw new SeedFileError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(items)) {
    throw new SeedFileError('CSL JSON must be an array of items');
  }
  return items.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new SeedFileError(`item ${index + 1} is not an object`);
    }
    const record = item as Record<string, unknown>;
    const text = (key: string): string | undefined => (typeof record[key] === 'string' ? record[key] : undefined);
    const label = text('id') ?? text('citation-key');
    return {
      where: `item ${index + 1}${label ? ` (${label})` : ''}`,
      identifier: firstIdentifier([text('DOI'), text('URL'), text('number'), text('note'), text('id')]),
    };
  });
}

/** RIS: `TY  - ` … `ER  - ` records of `XX  - value` lines; ids from DO, UR, L1-L4, M1-M3, N1, AN. */
function parseRis(content: string): SeedEntry[] {
  const entries: SeedEntry[] = [];
  let open: { line: number; fields: [string, string][] } | null = null;
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      return;
    }
    const tag = /^([A-Z][A-Z0-9]) {2}-(?: (.*))?$/.exec(raw.trimEnd());
    if (!tag) {
      throw new SeedFileError(`line ${line}: ${JSON.stringify(raw.slice(0, 60))} is not a RIS line (XX  - value)`);
    }
    const [, name, value = ''] = tag;
    if (name === 'TY') {
      if (open) {
        throw new SeedFileError(`line ${line}: a record starts before the one of line ${open.line} ends (ER)`);
      }
      open = { line, fields: [] };
    } else if (!open) {
      throw new SeedFileError(`line ${line}: ${name} outside a record (records start with TY)`);
    } else if (name === 'ER') {
      const fields: [string, string][] = open.fields;
      const pick = (...names: string[]): string[] =>
        names.flatMap((wanted) => fields.filter(([field]) => field === wanted).map(([, text]) => text));
      entries.push({
        where: `record of line ${open.line}`,
        identifier: firstIdentifier(pick('DO', 'UR', 'L1', 'L2', 'L3', 'L4', 'M1', 'M2', 'M3', 'AN', 'N1')),
      });
      open = null;
    } else {
      open.fields.push([name, value.trim()]);
    }
  });
  if (open) {
    throw new SeedFileError(`line ${(open as { line: number }).line}: the record is never ended (ER  - )`);
  }
  return entries;
}

/**
 * The format of an uploaded reference file: by its extension (.bib, .json, .ris, .txt), else by its first
 * lines (`[` CSL JSON, an `@type{` line BibTeX, `TY  -` RIS); null when neither says.
 */
export function detectSeedFormat(fileName: string, content: string): SeedFormat | null {
  const extension = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  const byExtension = new Map<string, SeedFormat>([
    ['bib', 'bibtex'],
    ['bibtex', 'bibtex'],
    ['json', 'csl-json'],
    ['ris', 'ris'],
    ['txt', 'ids'],
  ]);
  const known = extension === undefined ? undefined : byExtension.get(extension);
  if (known) {
    return known;
  }
  const start = content.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('[')) {
    return 'csl-json';
  }
  // BibTeX may open with % comments: any line starting an @entry.
  if (/^\s*@[A-Za-z]+\s*[{(]/m.test(start)) {
    return 'bibtex';
  }
  if (/^TY {2}-/.test(start)) {
    return 'ris';
  }
  return null;
}

/** Ids and URLs given as a list (an API field): each is an entry named by its place, `field[i]`; null when one names no paper. */
export function seedList(field: string, items: readonly string[]): { entries: SeedEntry[]; wrong: string | null } {
  const entries: SeedEntry[] = [];
  for (const [index, item] of items.entries()) {
    const identifier = seedIdentifier(item);
    if (!identifier) {
      return {
        entries: [],
        wrong: `${field}[${index}] ${JSON.stringify(item.slice(0, 100))} is not an arXiv id, DOI, or arXiv, Hugging Face or DOI URL`,
      };
    }
    entries.push({ where: `${field}[${index}]`, identifier });
  }
  return { entries, wrong: null };
}
