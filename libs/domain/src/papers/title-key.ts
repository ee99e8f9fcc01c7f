/**
 * Title keys: a title reduced to what identifies it, so the same paper listed by two sources (one with
 * LaTeX, hard wraps, an accent or a "[PREPRINT]" tag, the other without) gets the same key. The key is
 * only half of a match: listings are attached by title only together with overlapping authors.
 */

const GREEK = [
  ...['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'],
  ...['nu', 'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'],
];
// LaTeX spells some variants differently: \varepsilon, \vartheta, \varphi…
const LATEX_GREEK = new Map<string, string>([
  ...GREEK.map((name): [string, string] => [name, name]),
  ...['epsilon', 'theta', 'pi', 'rho', 'sigma', 'phi', 'kappa'].map((name): [string, string] => [`var${name}`, name]),
]);
// α…ω with final sigma (ς) between ρ and σ; upper case is folded to lower case before this lookup.
const UNICODE_GREEK = new Map<string, string>(
  [...'αβγδεζηθικλμνξοπρ', 'ς', ...'στυφχψω'].map((letter, index): [string, string] => [
    letter,
    letter === 'ς' ? 'sigma' : GREEK[index > 17 ? index - 1 : index],
  ]),
);
const GREEK_LETTER = /[α-ω]/g;
// A math symbol and the LaTeX commands that write it give one word ("2$\times$" = "2×" = "2x",
// "$\to$" = "→" = "to"); an empty word drops both forms. Symbols not listed are dropped as punctuation,
// LaTeX commands not listed keep their name.
const MATH_SYMBOLS: [symbol: string, word: string, commands: string[]][] = [
  ['×', 'x', ['times']],
  ['→', 'to', ['to', 'rightarrow', 'longrightarrow']],
  ['⟶', 'to', []],
  ['←', 'leftarrow', ['leftarrow', 'gets', 'longleftarrow']],
  ['↔', 'leftrightarrow', ['leftrightarrow', 'longleftrightarrow']],
  ['⇒', 'implies', ['Rightarrow', 'implies', 'Longrightarrow']],
  ['⇔', 'iff', ['Leftrightarrow', 'iff', 'Longleftrightarrow']],
  ['≤', 'leq', ['leq', 'le', 'leqslant']],
  ['≥', 'geq', ['geq', 'ge', 'geqslant']],
  ['≠', 'neq', ['neq', 'ne']],
  ['≈', 'approx', ['approx']],
  ['∼', 'sim', ['sim']],
  ['±', 'pm', ['pm']],
  ['∞', 'infinity', ['infty']],
  ['∈', 'in', ['in']],
  ['∀', 'forall', ['forall']],
  ['∃', 'exists', ['exists']],
  ['∂', 'partial', ['partial']],
  ['∇', 'nabla', ['nabla']],
  ['∆', 'delta', []],
  ['∑', 'sum', ['sum']],
  ['∏', 'prod', ['prod']],
  ['∫', 'int', ['int']],
  ['√', 'sqrt', ['sqrt']],
  ['ℓ', 'l', ['ell']],
  ['·', '', ['cdot']],
  ['…', '', ['ldots', 'dots', 'cdots']],
];
const SYMBOL_WORDS = new Map(MATH_SYMBOLS.map(([symbol, word]): [string, string] => [symbol, ` ${word} `]));
const LATEX_SYMBOLS = new Map(
  MATH_SYMBOLS.flatMap(([, word, commands]) => commands.map((command): [string, string] => [command, ` ${word} `])),
);
// Before NFKD, which takes some symbols apart (≠ is "=" and a combining stroke).
const MATH_SYMBOL = new RegExp(`[${MATH_SYMBOLS.map(([symbol]) => symbol).join('')}]`, 'gu');
// \"o, \'{e}, \v{c}, \c c: the accent goes, the letter stays. Letter-named accents need a brace or a space
// after them, or \varepsilon would read as \v applied to "a".
const LATEX_ACCENT = /\\(?:[`'^"~=.]\s*|[uvHck](?=\s*\{|\s+[A-Za-z])\s*)(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))/g;
const LATEX_COMMAND = /\\([A-Za-z]+)\*?/g;
// Tags a source puts before a title; nothing else in brackets is one ("[CLS] Tokens …" keeps its "[CLS]",
// "(Un)fair …" its "(Un)"). A venue is an acronym of one or two words with a year: "[NeurIPS 2024]",
// "(ICLR'25)", "[ACL Findings 2024]", "[ICML 2024 Oral]".
const VENUE = String.raw`[a-z0-9][a-z0-9&-]{1,15}(?:\s+[a-z][a-z0-9&-]{1,15})?\s*(?:'\d{2}|(?:19|20)\d{2})(?:\s+(?:oral|spotlight|poster|findings|workshop|main))?`;
const TAG = String.raw`pre-?print|draft|v\d{1,3}|arxiv|${VENUE}`;
const ONE_TAG = String.raw`(?:\[\s*(?:${TAG})\s*\]|\(\s*(?:${TAG})\s*\)|pre-?print\s*:)`;
const LEADING_TAG = new RegExp(String.raw`^\s*${ONE_TAG}`, 'i');
const LEADING_TAGS = new RegExp(String.raw`^\s*(?:${ONE_TAG}[\s:.-]*)+`, 'i');
// Commands that only format their argument; other commands keep their name (\LaTeX is "latex").
const FORMATTING_COMMANDS = new Set(
  (
    'emph textbf textit texttt textsc textrm textsf textnormal text mbox hbox underline mathrm mathbf mathit mathcal ' +
    'mathbb mathsf mathtt mathfrak mathscr boldsymbol bm operatorname left right big bigl bigr tiny small large huge ' +
    'bf it rm sc tt'
  ).split(' '),
);
// No leading \s*: tried at every space of a long run of them, it would take quadratic time.
const TRAILING_VERSION = /[[(]v\d+[\])]\s*$/i;
// Diacritics go from Latin, Greek and Cyrillic letters (é = e, ά = α, й = и), and the optional vowel points
// of Arabic and Hebrew. In other scripts a combining mark is part of the letter (Hindi कम and काम, Japanese
// ハード and ハート are different words), so it stays.
const DIACRITICS = /([\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Arabic}\p{sc=Hebrew}])\p{M}+/gu;
// Everything but letters, digits and the marks that follow a letter (a mark on a digit or an emoji goes:
// "🚀\uFE0F").
const NOT_IN_KEY = /(?:[^\p{L}\p{M}\p{N}]|(?<![\p{L}\p{M}])\p{M}+)+/gu;
/** A btree entry must stay well under Postgres' 2.7 kB limit, even in 4-byte scripts. */
export const MAX_TITLE_KEY_LENGTH = 512;
/** Shorter keys ("gemma2") are too generic to attach a listing by, even with authors. */
export const MIN_MATCHABLE_TITLE_KEY_LENGTH = 8;

/**
 * The title key: Unicode NFKD without the diacritics of Latin, Greek and Cyrillic letters, lower case,
 * simple LaTeX resolved ($\alpha$ and α are both "alpha", $\times$ and × both "x", \emph{x} is x), leading
 * tags such as "[PREPRINT]", "[v2]", "[NeurIPS 2024]" or "PREPRINT:" dropped, then only letters, digits
 * and their marks kept, so case, punctuation, hyphenation and spacing do not matter ("Test-Time" =
 * "test time"). Null for a title with no letters or digits.
 */
export function titleKey(title: string): string | null {
  let key = title
    .replace(LEADING_TAGS, '')
    .replace(TRAILING_VERSION, '')
    .replace(LATEX_ACCENT, (_match, braced: string | undefined, bare: string | undefined) => braced ?? bare ?? '')
    .replace(LATEX_COMMAND, (_match, name: string) => latexCommand(name))
    .replace(MATH_SYMBOL, (symbol) => SYMBOL_WORDS.get(symbol) ?? ' ')
    .replace(/\\&/g, '&')
    .replace(/&/g, ' and ')
    .normalize('NFKD')
    .replace(DIACRITICS, '$1')
    .toLowerCase()
    .replace(GREEK_LETTER, (letter) => UNICODE_GREEK.get(letter) ?? letter)
    .replace(NOT_IN_KEY, '');
  if (key.length > MAX_TITLE_KEY_LENGTH) {
    key = key.slice(0, MAX_TITLE_KEY_LENGTH);
    // Not half a character: a cut between the two halves of a surrogate pair leaves invalid UTF-16.
    if (/[\uD800-\uDBFF]$/.test(key)) {
      key = key.slice(0, -1);
    }
  }
  return key === '' ? null : key;
}

/** Whether a title starts with a tag ("[PREPRINT]", "(v2)", "[NeurIPS 2024]", "PREPRINT:") the key drops. */
export function hasLeadingTag(title: string): boolean {
  return LEADING_TAG.test(title);
}

function latexCommand(name: string): string {
  const greek = LATEX_GREEK.get(name.toLowerCase());
  if (greek) {
    return greek;
  }
  const symbol = LATEX_SYMBOLS.get(name);
  if (symbol !== undefined) {
    return symbol;
  }
  return FORMATTING_COMMANDS.has(name) ? ' ' : ` ${name} `;
}

/** Whether a key is specific enough to attach a listing to a paper by title (always with authors). */
export function isMatchableTitleKey(key: string | null): key is string {
  return key !== null && [...key].length >= MIN_MATCHABLE_TITLE_KEY_LENGTH;
}
