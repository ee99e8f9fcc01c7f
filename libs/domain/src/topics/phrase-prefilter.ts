/**
 * A cheap first pass over a text that rules out the topics whose phrases cannot match it, so the phrase
 * regexes (one per topic, the costly part of tagging) run only where they might find something. Each pattern
 * is reduced to literals every one of its matches must contain; one Aho-Corasick pass over the lower-cased
 * text finds all of them at once. Sound, not complete: a topic is skipped only when none of its literals
 * occur, and a pattern that cannot be reduced keeps its topic always scanned.
 *
 * Written here rather than taken from npm: the domain lib keeps its dependencies few, the reader only
 * needs the small regex subset of the rule book (anything else makes it give up, safely), and the automaton
 * is a dense ASCII table that answers "which topics may match" in one pass, which the Aho-Corasick packages
 * (built to report every match with its position) do not offer as such.
 */

/** A pattern's atom as far as literals go: an ASCII character, a group, or anything else (classes, assertions…). */
type Atom = { kind: 'char'; char: string } | { kind: 'group'; alternatives: Term[][] } | { kind: 'other' };

interface Term {
  atom: Atom;
  min: number;
  /** Infinity for *, + and {n,}. */
  max: number;
}

/** Part of the syntax this reader does not know: the pattern gets no literals (and always runs). */
class Unsupported extends Error {}

/**
 * Lower-case ASCII strings at least one of which every case-insensitive match of `pattern` contains, or null
 * when none can be read from it. Only ASCII counts as literal: the text is NFKC-folded before matching, so an
 * ASCII letter in a pattern matches only its two ASCII cases, which lower-casing the text makes one.
 */
export function requiredLiterals(pattern: string): string[] | null {
  try {
    const reader = new PatternReader(pattern);
    const alternatives = reader.alternatives();
    if (!reader.atEnd()) {
      return null;
    }
    return literalsOfAlternatives(alternatives);
  } catch (error) {
    if (error instanceof Unsupported) {
      return null;
    }
    throw error;
  }
}

/** Every alternative needs its own literals: the union, or null if one has none. */
function literalsOfAlternatives(alternatives: Term[][]): string[] | null {
  const union = new Set<string>();
  for (const sequence of alternatives) {
    const literals = literalsOfSequence(sequence);
    if (literals === null) {
      return null;
    }
    literals.forEach((literal) => union.add(literal));
  }
  return [...union];
}

/** The most selective requirement of a sequence: a run of required characters, or a required group's literals. */
function literalsOfSequence(sequence: Term[]): string[] | null {
  const candidates: string[][] = [];
  let run = '';
  const flush = (): void => {
    if (run !== '') {
      candidates.push([run]);
    }
    run = '';
  };
  for (const { atom, min, max } of sequence) {
    if (atom.kind === 'char' && min >= 1) {
      run += atom.char.repeat(min);
      if (max !== min) {
        // More of it may follow: what comes next is not adjacent to the run.
        flush();
      }
    } else if (atom.kind === 'group' && min >= 1) {
      flush();
      const literals = literalsOfAlternatives(atom.alternatives);
      if (literals !== null) {
        candidates.push(literals);
      }
    } else {
      flush();
    }
  }
  flush();
  if (candidates.length === 0) {
    return null;
  }
  // The longest shortest literal rules out the most texts.
  const shortest = (literals: string[]): number => Math.min(...literals.map((literal) => literal.length));
  return candidates.reduce((best, candidate) => (shortest(candidate) > shortest(best) ? candidate : best));
}

const IDENTITY_ESCAPES = new Set([...'^$\\.*+?()[]{}|/']);
const SET_ESCAPES = new Set([...'dDwWsSbBnrtvf']);

/** Reads the JavaScript pattern syntax the rule books use; anything else is Unsupported. */
class PatternReader {
  private at = 0;

  constructor(private readonly source: string) {}

  atEnd(): boolean {
    return this.at >= this.source.length;
  }

  alternatives(): Term[][] {
    const alternatives = [this.sequence()];
    while (this.source[this.at] === '|') {
      this.at += 1;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Term[] {
    const terms: Term[] = [];
    while (!this.atEnd() && this.source[this.at] !== '|' && this.source[this.at] !== ')') {
      const atom = this.atom();
      terms.push({ atom, ...this.quantifier() });
    }
    return terms;
  }

  private atom(): Atom {
    const { source } = this;
    const char = source[this.at];
    if (char === '(') {
      if (source.startsWith('(?:', this.at)) {
        this.at += 3;
        const alternatives = this.alternatives();
        this.expect(')');
        return { kind: 'group', alternatives };
      }
      const lookaround = ['(?=', '(?!', '(?<=', '(?<!'].find((open) => source.startsWith(open, this.at));
      if (lookaround === undefined) {
        throw new Unsupported(`group at ${this.at}`);
      }
      // Zero-width: it consumes nothing, so it only separates runs.
      this.at += lookaround.length;
      this.alternatives();
      this.expect(')');
      return { kind: 'other' };
    }
    if (char === '[') {
      this.at += source[this.at + 1] === '^' ? 2 : 1;
      while (source[this.at] !== ']') {
        if (this.atEnd()) {
          throw new Unsupported('unclosed class');
        }
        this.at += source[this.at] === '\\' ? 2 : 1;
      }
      this.at += 1;
      return { kind: 'other' };
    }
    if (char === '\\') {
      return this.escape();
    }
    if ('*+?{})|]'.includes(char)) {
      throw new Unsupported(`${char} at ${this.at}`);
    }
    const codePoint = source.codePointAt(this.at) ?? 0;
    this.at += codePoint > 0xffff ? 2 : 1;
    if (char === '.' || char === '^' || char === '$' || codePoint > 0x7f) {
      return { kind: 'other' };
    }
    return { kind: 'char', char: char.toLowerCase() };
  }

  private escape(): Atom {
    const next = this.source[this.at + 1] ?? '';
    this.at += 2;
    if (IDENTITY_ESCAPES.has(next)) {
      return { kind: 'char', char: next };
    }
    if (SET_ESCAPES.has(next)) {
      return { kind: 'other' };
    }
    if ((next === 'p' || next === 'P') && this.source[this.at] === '{') {
      this.skipPast('}');
      return { kind: 'other' };
    }
    throw new Unsupported(`\\${next}`);
  }

  private quantifier(): { min: number; max: number } {
    const { source } = this;
    const char = source[this.at];
    let bounds: { min: number; max: number };
    if (char === '?' || char === '*' || char === '+') {
      this.at += 1;
      bounds = { min: char === '+' ? 1 : 0, max: char === '?' ? 1 : Infinity };
    } else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(this.at));
      if (!match) {
        throw new Unsupported(`{ at ${this.at}`);
      }
      this.at += match[0].length;
      const min = Number(match[1]);
      bounds = { min, max: match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]) };
    } else {
      return { min: 1, max: 1 };
    }
    if (source[this.at] === '?') {
      // Lazy: matches the same strings.
      this.at += 1;
    }
    return bounds;
  }

  private expect(char: string): void {
    if (this.source[this.at] !== char) {
      throw new Unsupported(`expected ${char} at ${this.at}`);
    }
    this.at += 1;
  }

  private skipPast(char: string): void {
    const end = this.source.indexOf(char, this.at);
    if (end < 0) {
      throw new Unsupported(`expected ${char}`);
    }
    this.at = end + 1;
  }
}

/**
 * Which of a list of groups (a topic's patterns) may match a text: a group whose patterns all have literals
 * is a candidate only if one of those literals occurs in the lower-cased text; any other group always is.
 */
export class PhrasePrefilter {
  /** Aho-Corasick automaton over the literals' characters: next state = transitions[state * width + symbol]. */
  private readonly transitions: Int32Array;
  private readonly width: number;
  /** Symbol of each ASCII code; 0 for characters no literal has (they lead back to the root). */
  private readonly symbols = new Uint8Array(128);
  /** The groups whose literals end at each state (through its suffixes too); null for none. */
  private readonly groupsAt: (number[] | null)[];
  private readonly alwaysCandidates: boolean[];

  constructor(groups: readonly (readonly string[] | null)[]) {
    this.alwaysCandidates = groups.map((literals) => literals === null || literals.length === 0);
    const alphabet = new Set<number>();
    for (const literals of groups) {
      for (const literal of literals ?? []) {
        for (let index = 0; index < literal.length; index += 1) {
          alphabet.add(literal.charCodeAt(index));
        }
      }
    }
    [...alphabet].sort((a, b) => a - b).forEach((code, index) => (this.symbols[code] = index + 1));
    this.width = alphabet.size + 1;

    // The trie: children per state, the groups ending at each state.
    const children: Map<number, number>[] = [new Map<number, number>()];
    const ends: Set<number>[] = [new Set()];
    groups.forEach((literals, group) => {
      if (this.alwaysCandidates[group]) {
        return;
      }
      for (const literal of literals ?? []) {
        let state = 0;
        for (let index = 0; index < literal.length; index += 1) {
          const symbol = this.symbols[literal.charCodeAt(index)];
          let next = children[state].get(symbol);
          if (next === undefined) {
            next = children.length;
            children.push(new Map<number, number>());
            ends.push(new Set());
            children[state].set(symbol, next);
          }
          state = next;
        }
        ends[state].add(group);
      }
    });

    // Breadth first: each state's failure state is shallower, so its transitions and ends are complete.
    this.transitions = new Int32Array(children.length * this.width);
    const failure = new Int32Array(children.length);
    const queue: number[] = [];
    for (let symbol = 1; symbol < this.width; symbol += 1) {
      const child = children[0].get(symbol);
      if (child !== undefined) {
        this.transitions[symbol] = child;
        queue.push(child);
      }
    }
    for (let head = 0; head < queue.length; head += 1) {
      const state = queue[head];
      ends[failure[state]].forEach((group) => ends[state].add(group));
      for (let symbol = 1; symbol < this.width; symbol += 1) {
        const child = children[state].get(symbol);
        const fallback = this.transitions[failure[state] * this.width + symbol];
        if (child === undefined) {
          this.transitions[state * this.width + symbol] = fallback;
        } else {
          failure[child] = fallback;
          this.transitions[state * this.width + symbol] = child;
          queue.push(child);
        }
      }
    }
    this.groupsAt = ends.map((set) => (set.size === 0 ? null : [...set]));
  }

  /** For each group, whether its patterns may match `text` (already NFKC-folded, as the matcher sees it). */
  candidates(text: string): boolean[] {
    const found = [...this.alwaysCandidates];
    const lower = text.toLowerCase();
    const { transitions, width, symbols, groupsAt } = this;
    let state = 0;
    for (let index = 0; index < lower.length; index += 1) {
      const code = lower.charCodeAt(index);
      state = code < 128 ? transitions[state * width + symbols[code]] : 0;
      const groups = groupsAt[state];
      if (groups !== null) {
        for (const group of groups) {
          found[group] = true;
        }
      }
    }
    return found;
  }
}
