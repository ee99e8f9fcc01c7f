const NAME_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md']);
const NOT_LETTER = /[^\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
/** "Smith AB" (PubMed, bioRxiv): a surname followed by upper-case initials. */
const SURNAME_INITIALS = /^(\S+)\s+(\p{Lu}{1,3})$/u;
/** A listing attaches to a paper by title only if at least this share of the shorter author list overlaps. */
export const MIN_AUTHOR_OVERLAP = 0.5;

/** An author as matching compares them: the last name and, when the source gave one, the first initial. */
export interface AuthorKey {
  last: string;
  initial: string | null;
}

/**
 * The normalised last name and first initial of an author as sources write it: "Alice Smith", "A. Smith",
 * "Smith, Alice", "Smith AB", "Alice Smith Jr.", "José Núñez" ("nunez", "j"); null when there is no name.
 */
export function authorKey(name: string): AuthorKey | null {
  const [beforeComma, ...afterComma] = name.split(',');
  const initials = SURNAME_INITIALS.exec(beforeComma.trim());
  let surnamePart: string;
  let givenPart: string;
  // "Smith, Alice" names the surname first; "Martin Luther King, Jr." only adds a suffix.
  if (afterComma.length > 0 && words(afterComma[0]).length > 0) {
    [surnamePart, givenPart] = [beforeComma, afterComma.join(' ')];
  } else if (initials) {
    [surnamePart, givenPart] = [initials[1], initials[2]];
  } else {
    const tokens = words(beforeComma);
    return tokens.length === 0 ? null : { last: tokens[tokens.length - 1], initial: initialOf(tokens.slice(0, -1)) };
  }
  const last = words(surnamePart).at(-1);
  return last === undefined ? null : { last, initial: initialOf(words(givenPart)) };
}

/** The normalised last name of an author (see authorKey); null when there is none. */
export function authorLastName(name: string): string | null {
  return authorKey(name)?.last ?? null;
}

/**
 * The share (0 to 1) of the shorter author list found in the other list, each name used once; 0 when either
 * list has no usable names. Two names are the same author when their last names agree and their first
 * initials do not differ: "A. Smith" is "Alice Smith", but "Wei Wang" is not "Xin Wang" (common surnames
 * alone would tie different papers of the same generic title together).
 */
export function authorOverlap(a: readonly string[], b: readonly string[]): number {
  const keysA = authorKeys(a);
  const keysB = authorKeys(b);
  const [shorter, longer] = keysA.length <= keysB.length ? [keysA, keysB] : [keysB, keysA];
  if (shorter.length === 0) {
    return 0;
  }
  const available = [...longer];
  let shared = 0;
  // Exact initials first, so "A. Smith" does not use up the "Alice Smith" that "Alice Smith" needed.
  const byPrecision = [...shorter].sort((x, y) => Number(x.initial === null) - Number(y.initial === null));
  for (const key of byPrecision) {
    const exact = available.findIndex((other) => other.last === key.last && other.initial === key.initial);
    const index =
      exact >= 0
        ? exact
        : available.findIndex((other) => other.last === key.last && (other.initial === null || key.initial === null));
    if (index >= 0) {
      shared += 1;
      available.splice(index, 1);
    }
  }
  return shared / shorter.length;
}

export function authorsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return authorOverlap(a, b) >= MIN_AUTHOR_OVERLAP;
}

function authorKeys(authors: readonly string[]): AuthorKey[] {
  return authors.map(authorKey).filter((key): key is AuthorKey => key !== null);
}

/** Lower-case words without marks, punctuation or suffixes ("Jr."). */
function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .split(/\s+/)
    .map((token) => token.replace(NOT_LETTER, ''))
    .filter((token) => token !== '' && !NAME_SUFFIXES.has(token));
}

function initialOf(given: string[]): string | null {
  return given.length === 0 ? null : given[0][0];
}
