const NAME_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md']);
const NOT_LETTER = /[^\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
/** "Smith AB" (PubMed, bioRxiv): a surname followed by upper-case initials. */
const SURNAME_INITIALS = /^(\S+)\s+\p{Lu}{1,3}$/u;
/** A listing attaches to a paper by title only if at least this share of the shorter author list overlaps. */
export const MIN_AUTHOR_OVERLAP = 0.5;

/**
 * The normalised last name of an author as sources write it: "Alice Smith", "A. Smith", "Smith, Alice",
 * "Smith AB", "Alice Smith Jr.", "José Núñez" ("nunez"); null when there is none.
 */
export function authorLastName(name: string): string | null {
  const beforeComma = name.split(',', 1)[0].trim();
  const initials = SURNAME_INITIALS.exec(beforeComma);
  const source = name.includes(',') || !initials ? beforeComma : initials[1];
  const tokens = source
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .split(/\s+/)
    .map((token) => token.replace(NOT_LETTER, ''))
    .filter((token) => token !== '' && !NAME_SUFFIXES.has(token));
  return tokens.at(-1) ?? null;
}

/**
 * The share (0 to 1) of the shorter author list whose last names appear in the other list, each name used
 * once; 0 when either list has no usable names.
 */
export function authorOverlap(a: readonly string[], b: readonly string[]): number {
  const namesA = lastNames(a);
  const namesB = lastNames(b);
  const [shorter, longer] = namesA.length <= namesB.length ? [namesA, namesB] : [namesB, namesA];
  if (shorter.length === 0) {
    return 0;
  }
  const available = new Map<string, number>();
  for (const name of longer) {
    available.set(name, (available.get(name) ?? 0) + 1);
  }
  let shared = 0;
  for (const name of shorter) {
    const left = available.get(name) ?? 0;
    if (left > 0) {
      shared += 1;
      available.set(name, left - 1);
    }
  }
  return shared / shorter.length;
}

export function authorsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return authorOverlap(a, b) >= MIN_AUTHOR_OVERLAP;
}

function lastNames(authors: readonly string[]): string[] {
  return authors.map(authorLastName).filter((name): name is string => name !== null);
}
