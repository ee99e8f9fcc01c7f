/**
 * LaTeX in titles, abstracts and author names, as readable plain text: what arXiv metadata holds (`$\mathcal{O}(n)$`,
 * `\textbf{BERT}`, `Schr\"odinger`, `\model,`) turned into what a person reads (`𝒪(n)`, `BERT`, `Schrödinger`, `,`).
 * Known macros become Unicode, unknown ones are dropped (their braced argument kept as text), math keeps its
 * symbols with super- and subscripts where Unicode has them. Text without LaTeX comes back unchanged.
 *
 * Written here rather than taken from npm: the candidates are a BibTeX mapping table of about 1 MB
 * (unicode2latex) or a full LaTeX AST toolkit (unified-latex); abstracts use a few dozen macros.
 */
export function readableLatex(text: string, options: { ownName?: string } = {}): string {
  if (!LOOKS_LIKE_LATEX.test(text)) {
    return text;
  }
  const converted = new Converter(text, options.ownName ?? null).run();
  // A dropped macro leaves a NUL (no text holds one): the space before it goes too when punctuation follows.
  /* eslint-disable no-control-regex */
  return converted
    .replace(/ ?\u0000(?=[,.;:!?)\]])/g, '')
    .replace(/\u0000/g, '')
    /* eslint-enable no-control-regex */
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

// A backslash, a dollar or TeX quotes. Braces alone are not enough: summaries that lost their backslashes
// ("url{http://…}") read no better without them.
const LOOKS_LIKE_LATEX = /[\\$]|``/;

const CONTROL_WORD = /[a-zA-Z]+/y;
const PLAIN_TEXT = /[^\\{}$^_`'~]+/y;
const PLAIN_MATH = /[^\\{}$^_`'~-]+/y;
const SPACES = /\s+/y;

/** Deeper nesting than any real title has: past it, the rest is kept as text (no stack to exhaust). */
const MAX_DEPTH = 32;

// prettier-ignore
const SYMBOLS: Record<string, string> = {
  // Greek
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ϵ', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ',
  vartheta: 'ϑ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', varpi: 'ϖ', rho: 'ρ',
  varrho: 'ϱ', sigma: 'σ', varsigma: 'ς', tau: 'τ', upsilon: 'υ', phi: 'ϕ', varphi: 'φ', chi: 'χ', psi: 'ψ',
  omega: 'ω', Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Upsilon: 'Υ',
  Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
  // Relations and operators
  times: '×', cdot: '·', cdots: '⋯', ldots: '…', dots: '…', div: '÷', pm: '±', mp: '∓', ast: '∗', star: '⋆',
  circ: '∘', bullet: '•', oplus: '⊕', otimes: '⊗', odot: '⊙', leq: '≤', le: '≤', geq: '≥', ge: '≥', neq: '≠',
  ne: '≠', ll: '≪', gg: '≫', approx: '≈', sim: '∼', simeq: '≃', cong: '≅', equiv: '≡', propto: '∝', prec: '≺',
  succ: '≻', preceq: '⪯', succeq: '⪰', in: '∈', notin: '∉', ni: '∋', subset: '⊂', subseteq: '⊆', supset: '⊃',
  supseteq: '⊇', cup: '∪', cap: '∩', setminus: '∖', emptyset: '∅', varnothing: '∅', forall: '∀', exists: '∃',
  neg: '¬', lnot: '¬', land: '∧', wedge: '∧', lor: '∨', vee: '∨', to: '→', rightarrow: '→', leftarrow: '←',
  gets: '←', leftrightarrow: '↔', Rightarrow: '⇒', Leftarrow: '⇐', Leftrightarrow: '⇔', implies: '⟹', iff: '⟺',
  mapsto: '↦', uparrow: '↑', downarrow: '↓', infty: '∞', partial: '∂', nabla: '∇', sum: '∑', prod: '∏',
  int: '∫', oint: '∮', sqrt: '√', ell: 'ℓ', hbar: 'ℏ', Re: 'ℜ', Im: 'ℑ', aleph: 'ℵ', angle: '∠', perp: '⊥',
  parallel: '∥', mid: '∣', top: '⊤', bot: '⊥', dagger: '†', ddagger: '‡', prime: '′', langle: '⟨', rangle: '⟩',
  lceil: '⌈', rceil: '⌉', lfloor: '⌊', rfloor: '⌋', vert: '|', Vert: '‖', lvert: '|', rvert: '|', lVert: '‖',
  rVert: '‖', triangle: '△', square: '□', checkmark: '✓', degree: '°', textdegree: '°',
  // Text-mode symbols and spacing
  textendash: '–', textemdash: '—', textbullet: '•', dag: '†', S: '§', P: '¶', copyright: '©', textregistered: '®',
  texttrademark: '™', euro: '€', pounds: '£', textasciitilde: '~', textbackslash: '\\', ss: 'ß', ae: 'æ',
  AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', o: 'ø', O: 'Ø', l: 'ł', L: 'Ł', i: 'ı', j: 'ȷ',
  quad: ' ', qquad: ' ', enspace: ' ', thinspace: '\u2009', LaTeX: 'LaTeX', TeX: 'TeX',
  // Named functions read as their names
  log: 'log', ln: 'ln', exp: 'exp', sin: 'sin', cos: 'cos', tan: 'tan', max: 'max', min: 'min', arg: 'arg',
  argmax: 'argmax', argmin: 'argmin', sup: 'sup', inf: 'inf', lim: 'lim', det: 'det', dim: 'dim', deg: 'deg',
  Pr: 'Pr', gcd: 'gcd', softmax: 'softmax',
  // Abbreviations papers define as macros
  eg: 'e.g.', ie: 'i.e.', etal: 'et al.', wrt: 'w.r.t.', etc: 'etc.', vs: 'vs.', cf: 'cf.', aka: 'a.k.a.',
};

/** Control symbols: a backslash and one character that is not a letter. */
// prettier-ignore
const CONTROL_SYMBOLS: Record<string, string> = {
  '%': '%', '&': '&', _: '_', '#': '#', $: '$', '{': '{', '}': '}', ' ': ' ', ',': '\u2009', ';': ' ', ':': ' ',
  '>': ' ', '!': '', '/': '', '-': '', '\\': ' ', '|': '‖',
};

/** Accents: `\"o`, `\'{e}`, `\c{c}`, `\hat{x}`, as a combining mark after the letter (then composed). */
// prettier-ignore
const ACCENTS: Record<string, string> = {
  '`': '\u0300', "'": '\u0301', '^': '\u0302', '~': '\u0303', '=': '\u0304', '.': '\u0307', '"': '\u0308',
  u: '\u0306', v: '\u030C', H: '\u030B', r: '\u030A', c: '\u0327', k: '\u0328', d: '\u0323', b: '\u0331',
  hat: '\u0302', widehat: '\u0302', tilde: '\u0303', widetilde: '\u0303', bar: '\u0304', overline: '\u0305',
  vec: '\u20D7', dot: '\u0307', ddot: '\u0308', acute: '\u0301', grave: '\u0300', breve: '\u0306', check: '\u030C',
};

/** Macros whose argument is the text to show: `\textbf{BERT}` reads `BERT`. */
// prettier-ignore
const KEEP_ARGUMENT = new Set([
  'text', 'textrm', 'textbf', 'textit', 'textsc', 'texttt', 'textsf', 'textup', 'textsl', 'emph', 'underline',
  'mathrm', 'mathbf', 'mathit', 'mathsf', 'mathtt', 'mathnormal', 'boldsymbol', 'bm', 'mbox', 'hbox', 'operatorname',
  'url', 'textnormal', 'mathfrak', 'mathscr', 'ensuremath', 'footnote', 'uppercase', 'lowercase',
]);

/** Macros shown as nothing, with their arguments: references and layout. */
// prettier-ignore
const DROP_WITH_ARGUMENT: Record<string, number> = {
  cite: 1, citep: 1, citet: 1, ref: 1, eqref: 1, label: 1, vspace: 1, hspace: 1, color: 1, textcolor: 1,
  includegraphics: 1, begin: 1, end: 1,
};

/** Declarations and sizing that change how text looks, not what it says. */
// prettier-ignore
const DROP = new Set([
  'left', 'right', 'big', 'Big', 'bigg', 'Bigg', 'bigl', 'bigr', 'Bigl', 'Bigr', 'displaystyle', 'textstyle',
  'scriptstyle', 'limits', 'nolimits', 'em', 'it', 'bf', 'rm', 'sc', 'tt', 'sf', 'small', 'large', 'Large',
  'footnotesize', 'normalsize', 'tiny', 'huge', 'noindent', 'newline', 'par', 'centering', 'xspace', 'nobreak',
]);

const DOUBLE_STRUCK: Record<string, string> = { C: 'ℂ', H: 'ℍ', N: 'ℕ', P: 'ℙ', Q: 'ℚ', R: 'ℝ', Z: 'ℤ' };
const SCRIPT: Record<string, string> = { B: 'ℬ', E: 'ℰ', F: 'ℱ', H: 'ℋ', I: 'ℐ', L: 'ℒ', M: 'ℳ', R: 'ℛ' };

/** A capital letter in a mathematical alphabet: `base` is the code point of its "A". */
function alphabet(letters: string, base: number, exceptions: Record<string, string>): string {
  return [...letters]
    .map((letter) =>
      exceptions[letter] ?? (/^[A-Z]$/.test(letter) ? String.fromCodePoint(base + letter.charCodeAt(0) - 65) : letter),
    )
    .join('');
}

// prettier-ignore
const SUPERSCRIPTS: Record<string, string> = {
  ...digits('⁰¹²³⁴⁵⁶⁷⁸⁹'), '+': '⁺', '-': '⁻', '−': '⁻', '=': '⁼', '(': '⁽', ')': '⁾', n: 'ⁿ', i: 'ⁱ', T: 'ᵀ',
  a: 'ᵃ', b: 'ᵇ', c: 'ᶜ', d: 'ᵈ', e: 'ᵉ', f: 'ᶠ', g: 'ᵍ', h: 'ʰ', j: 'ʲ', k: 'ᵏ', l: 'ˡ', m: 'ᵐ', o: 'ᵒ',
  p: 'ᵖ', r: 'ʳ', s: 'ˢ', t: 'ᵗ', u: 'ᵘ', v: 'ᵛ', w: 'ʷ', x: 'ˣ', y: 'ʸ', z: 'ᶻ', '⊤': 'ᵀ', '′': '′', '∗': '*',
  '*': '*', '†': '†',
};
// prettier-ignore
const SUBSCRIPTS: Record<string, string> = {
  ...digits('₀₁₂₃₄₅₆₇₈₉'), '+': '₊', '-': '₋', '−': '₋', '=': '₌', '(': '₍', ')': '₎', a: 'ₐ', e: 'ₑ', h: 'ₕ',
  i: 'ᵢ', j: 'ⱼ', k: 'ₖ', l: 'ₗ', m: 'ₘ', n: 'ₙ', o: 'ₒ', p: 'ₚ', r: 'ᵣ', s: 'ₛ', t: 'ₜ', u: 'ᵤ', v: 'ᵥ',
  x: 'ₓ', β: 'ᵦ', γ: 'ᵧ', ρ: 'ᵨ', φ: 'ᵩ', ϕ: 'ᵩ', χ: 'ᵪ',
};

function digits(marks: string): Record<string, string> {
  return Object.fromEntries([...marks].map((mark, digit) => [String(digit), mark]));
}

/** `x^{2}` → `x²` where Unicode has every mark, else `x^(n+1)` (one character needs no parentheses). */
function script(content: string, marks: Record<string, string>, sign: '^' | '_'): string {
  const chars = [...content.trim()];
  if (chars.length === 0) {
    return '';
  }
  if (chars.every((char) => marks[char] !== undefined)) {
    return chars.map((char) => marks[char]).join('');
  }
  return chars.length === 1 ? `${sign}${chars[0]}` : `${sign}(${chars.join('')})`;
}

/**
 * The macros papers define for their own system's name ("we present \model, a …"): read as that name when it
 * is known (see titleName), dropped like any unknown macro otherwise.
 */
// prettier-ignore
const OWN_NAME_MACROS = new Set(['model', 'method', 'ours', 'ourmethod', 'name', 'system', 'approach', 'framework', 'modelname', 'methodname', 'sys', 'algname', 'toolname']);

/**
 * The short name a title gives its paper's system, "LightGen" of "LightGen: Efficient Image Generation …":
 * what comes before its first colon, when that is a name (at most three words), else undefined.
 */
export function titleName(title: string): string | undefined {
  const colon = title.indexOf(':');
  const name = colon > 0 ? title.slice(0, colon).trim() : '';
  return name !== '' && name.length <= 40 && name.split(/\s+/).length <= 3 ? name : undefined;
}

/** Reads LaTeX left to right; `math` is whether it is inside $…$ (where spaces are layout, not text). */
class Converter {
  private at = 0;

  constructor(
    private readonly source: string,
    private readonly ownName: string | null,
    private readonly depth = 0,
    private readonly math = false,
  ) {}

  run(): string {
    if (this.depth > MAX_DEPTH) {
      return this.source;
    }
    let out = '';
    while (this.at < this.source.length) {
      out += this.next();
    }
    return out;
  }

  private next(): string {
    // A run of characters that mean nothing to TeX (in math, a minus sign does) is copied as it is.
    const plain = this.match(this.math ? PLAIN_MATH : PLAIN_TEXT, this.at);
    if (plain !== '') {
      this.at += plain.length;
      return plain;
    }
    const char = this.source[this.at];
    switch (char) {
      case '\\':
        return this.command();
      case '{':
        return this.convert(this.group(), this.math);
      case '}':
        this.at++;
        return '';
      case '$':
        return this.dollar();
      case '^':
      case '_':
        if (this.math) {
          this.at++;
          const content = this.convert(this.argument(), true);
          return char === '^' ? script(content, SUPERSCRIPTS, '^') : script(content, SUBSCRIPTS, '_');
        }
        this.at++;
        return char;
      case '`':
      case "'":
        if (!this.math && this.source[this.at + 1] === char) {
          this.at += 2;
          return char === '`' ? '“' : '”';
        }
        this.at++;
        return this.math && char === "'" ? '′' : char;
      case '~': {
        // A tie ("Figure~3") is a space; a tilde after a space ("~100 tokens") means "about".
        const tie = this.math || !/^\s?$/.test(this.source[this.at - 1] ?? '');
        this.at++;
        return tie ? ' ' : '~';
      }
      default:
        this.at++;
        return this.math && char === '-' ? '−' : char;
    }
  }

  /** `$…$`, `$$…$$` by pandoc's rule (no space inside the delimiters, no digit after the closing one): "$5 to $10" is money. */
  private dollar(): string {
    const double = this.source.startsWith('$$', this.at);
    const open = double ? 2 : 1;
    const start = this.at + open;
    const close = this.source.indexOf(double ? '$$' : '$', start);
    const content = close < 0 ? '' : this.source.slice(start, close);
    const isMath =
      !this.math &&
      close > start &&
      (double || (!/^\s/.test(content) && !/\s$/.test(content) && !/\d/.test(this.source[close + 1] ?? '')));
    if (!isMath) {
      this.at++;
      return '$';
    }
    this.at = close + open;
    return this.convert(content, true);
  }

  private command(): string {
    const word = this.match(CONTROL_WORD, this.at + 1);
    if (word === '') {
      const symbol = this.source[this.at + 1] ?? '';
      this.at += 1 + symbol.length;
      if (symbol === '(' || symbol === '[') {
        return this.delimitedMath(symbol === '(' ? '\\)' : '\\]');
      }
      if (symbol in ACCENTS) {
        return this.accent(ACCENTS[symbol]);
      }
      // An unknown one (\0.08, a lost \$) keeps its character.
      return CONTROL_SYMBOLS[symbol] ?? symbol;
    }
    this.at += 1 + word.length;
    // TeX eats the spaces after a control word; they were the word's separator ("\log n"), so one is kept.
    const spaceAfter = this.match(SPACES, this.at);
    this.at += spaceAfter.length;
    const space = spaceAfter ? ' ' : '';
    if (this.source[this.at] === '*' && (KEEP_ARGUMENT.has(word) || word in DROP_WITH_ARGUMENT)) {
      this.at++;
    }
    if (word in ACCENTS) {
      // "\H o": the space only separates the macro from its letter.
      return this.accent(ACCENTS[word]);
    }
    if (word === 'frac' || word === 'dfrac' || word === 'tfrac') {
      const over = this.convert(this.argument(), true);
      const under = this.convert(this.argument(), true);
      return `${parenthesised(over)}/${parenthesised(under)}`;
    }
    if (word === 'sqrt') {
      if (this.source[this.at] === '[') {
        this.bracketed();
      }
      return `√${parenthesised(this.convert(this.argument(), true))}`;
    }
    if (word === 'mathbb') {
      return alphabet(this.convert(this.argument(), true), 0x1d538, DOUBLE_STRUCK);
    }
    if (word === 'mathcal') {
      return alphabet(this.convert(this.argument(), true), 0x1d49c, SCRIPT);
    }
    if (word === 'href') {
      this.argument();
      return this.convert(this.argument(), this.math) + space;
    }
    if (KEEP_ARGUMENT.has(word)) {
      return this.convert(this.argument(), this.math && !word.startsWith('text')) + space;
    }
    if (word in DROP_WITH_ARGUMENT) {
      if (this.source[this.at] === '[') {
        this.bracketed();
      }
      for (let n = 0; n < DROP_WITH_ARGUMENT[word]; n++) {
        this.argument();
      }
      return '\u0000';
    }
    if (word in SYMBOLS) {
      return SYMBOLS[word] + space;
    }
    if (DROP.has(word)) {
      return space;
    }
    if (this.ownName !== null && OWN_NAME_MACROS.has(word) && this.source[this.at] !== '{') {
      return this.ownName + space;
    }
    // An unknown macro (a paper's own \model): dropped, its braced argument (if any) kept as text.
    if (this.source[this.at] === '{') {
      return this.convert(this.group(), this.math) + space;
    }
    return `\u0000${space}`;
  }

  private delimitedMath(end: string): string {
    const close = this.source.indexOf(end, this.at);
    const content = this.source.slice(this.at, close < 0 ? undefined : close);
    this.at = close < 0 ? this.source.length : close + end.length;
    return this.convert(content, true);
  }

  private accent(mark: string): string {
    // A dotless i or j (\'{\i}) takes the accent as the letter does.
    const base = this.convert(this.argument(), this.math).replace('ı', 'i').replace('ȷ', 'j');
    const chars = [...base];
    return chars.length === 0 ? '' : `${chars[0]}${mark}${chars.slice(1).join('')}`.normalize('NFC');
  }

  /** A macro's argument as source: a braced group, a control word, or one character (spaces before it skipped). */
  private argument(): string {
    while (/\s/.test(this.source[this.at] ?? '')) {
      this.at++;
    }
    if (this.source[this.at] === '{') {
      return this.group();
    }
    if (this.source[this.at] === '\\') {
      const word = this.match(CONTROL_WORD, this.at + 1) || (this.source[this.at + 1] ?? '');
      this.at += 1 + word.length;
      return `\\${word}`;
    }
    const char = [...this.source.slice(this.at, this.at + 2)][0] ?? '';
    this.at += char.length;
    return char;
  }

  /** The inside of the `{…}` that starts here; an unclosed one runs to the end. */
  private group(): string {
    let depth = 0;
    const start = this.at + 1;
    for (let i = this.at; i < this.source.length; i++) {
      const char = this.source[i];
      if (char === '\\') {
        i++;
      } else if (char === '{') {
        depth++;
      } else if (char === '}' && --depth === 0) {
        this.at = i + 1;
        return this.source.slice(start, i);
      }
    }
    this.at = this.source.length;
    return this.source.slice(start);
  }

  /** Skips an optional `[…]` argument. */
  private bracketed(): void {
    const close = this.source.indexOf(']', this.at);
    this.at = close < 0 ? this.source.length : close + 1;
  }

  /** What `pattern` (sticky) matches at `from`, or ''. */
  private match(pattern: RegExp, from: number): string {
    pattern.lastIndex = from;
    return pattern.exec(this.source)?.[0] ?? '';
  }

  private convert(source: string, math: boolean): string {
    return new Converter(source, this.ownName, this.depth + 1, math).run();
  }
}

/** A fraction's part: one symbol as it is, anything longer in parentheses. */
function parenthesised(text: string): string {
  const trimmed = text.trim();
  return [...trimmed].length <= 1 || /^[\p{L}\p{N}.]+$/u.test(trimmed) ? trimmed : `(${trimmed})`;
}
