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
// \"o, \'{e}, \v{c}, \c c: the accent goes, the letter stays. Letter-named accents need a brace or a space
// after them, or \varepsilon would read as \v applied to "a".
const LATEX_ACCENT = /\\(?:[`'^"~=.]\s*|[uvHck](?=\s*\{|\s+[A-Za-z])\s*)(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))/g;
const LATEX_COMMAND = /\\([A-Za-z]+)\*?/g;
// "[PREPRINT] …", "[v2] …", "[Short paper] …", "(Preprint) …"; other parentheses are part of titles: "(Un)fair …".
const LEADING_TAGS = /^\s*(?:(?:\[[^\]]{1,40}\]|\((?:preprint|pre-print|draft|v\d+)\))[\s:.-]*)+/i;
// Commands that only format their argument; other commands keep their name (\LaTeX is "latex").
const FORMATTING_COMMANDS = new Set(
  (
    'emph textbf textit texttt textsc textrm textsf textnormal text mbox hbox underline mathrm mathbf mathit mathcal ' +
    'mathbb mathsf mathtt mathfrak mathscr boldsymbol bm operatorname left right big bigl bigr tiny small large huge ' +
    'bf it rm sc tt'
  ).split(' '),
);
const TRAILING_VERSION = /\s*[[(]v\d+[\])]\s*$/i;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
/** A btree entry must stay well under Postgres' 2.7 kB limit, even in 4-byte scripts. */
export const MAX_TITLE_KEY_LENGTH = 512;
/** Shorter keys ("gemma2") are too generic to attach a listing by, even with authors. */
export const MIN_MATCHABLE_TITLE_KEY_LENGTH = 8;

/**
 * The title key: Unicode NFKD without diacritics, lower case, simple LaTeX resolved ($\alpha$ and α are
 * both "alpha", \emph{x} is x), leading tags such as "[PREPRINT]" or "[v2]" dropped, then only letters and
 * digits kept, so case, punctuation, hyphenation and spacing do not matter ("Test-Time" = "test time").
 * Null for a title with no letters or digits.
 */
export function titleKey(title: string): string | null {
  const text = title
    .replace(LEADING_TAGS, '')
    .replace(TRAILING_VERSION, '')
    .replace(LATEX_ACCENT, (_match, braced: string | undefined, bare: string | undefined) => braced ?? bare ?? '')
    .replace(LATEX_COMMAND, (_match, name: string) => latexCommand(name))
    .replace(/\\&/g, '&')
    .replace(/&/g, ' and ')
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase();
  let key = '';
  for (const char of text.replace(NOT_LETTER_OR_DIGIT, '')) {
    key += UNICODE_GREEK.get(char) ?? char;
    if (key.length >= MAX_TITLE_KEY_LENGTH) {
      break;
    }
  }
  key = key.slice(0, MAX_TITLE_KEY_LENGTH);
  return key === '' ? null : key;
}

function latexCommand(name: string): string {
  const greek = LATEX_GREEK.get(name.toLowerCase());
  if (greek) {
    return greek;
  }
  return FORMATTING_COMMANDS.has(name) ? ' ' : ` ${name} `;
}

/** Whether a key is specific enough to attach a listing to a paper by title (always with authors). */
export function isMatchableTitleKey(key: string | null): key is string {
  return key !== null && [...key].length >= MIN_MATCHABLE_TITLE_KEY_LENGTH;
}
