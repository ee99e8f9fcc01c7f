/**
 * Tokenising for relevance features: lower-cased words with a light plural stemmer, English and
 * paper-boilerplate stop words dropped, plus bigrams of adjacent kept words ("kv cache"). Each term
 * keeps the words as the text wrote them, so explanations can show "KV cache" rather than a stem.
 */
export interface Token {
  /** The matching form: lower-cased, light-stemmed; a bigram is two terms joined by a space. */
  term: string;
  /** The text's own spelling of it, for display. */
  surface: string;
}

const STOP_WORDS = new Set(
  (
    'a about above across after again against all almost along also although am among an and another any are ' +
    'around as at be because been before being below between both but by can cannot could did do does doing ' +
    'done down during each either else enough etc even ever every few for from further had has have having he ' +
    'her here hers him his how however i if in into is it its itself just least less like made many may me more ' +
    'most much must my neither no nor not now of off often on once one only onto or other others otherwise our ' +
    'ours out over own per rather same several she should since so some such than that the their theirs them ' +
    'then there thereby therefore these they this those though through thus to too toward towards under until ' +
    'up upon us very via was we well were what whatever when where whether which while who whom whose why will ' +
    'with within without would yet you your ' +
    // Words every abstract uses: they say nothing about what a paper is about.
    'approach approaches achieve achieved achieves achieving address addresses based ' +
    'challenge challenges challenging compared demonstrate demonstrated demonstrates effective ' +
    'effectiveness existing experiment experiments experimental extensive finally first furthermore github ' +
    'http https import important introduce introduced introduces largely leading lead leads method ' +
    'methods novel paper performance present presents previous prior propose proposed proposes provide ' +
    'provides recent recently remain remains result results significant significantly show shown shows ' +
    'simple state study studies superior task tasks therein two three various while widely work works'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
/** A break between words that ends a phrase: punctuation other than a hyphen, slash or apostrophe. */
const PHRASE_BREAK = /[.,;:!?()[\]{}"“”]/u;

/**
 * A light stemmer that makes singular and plural one term: "policies" → "policy", "caches" and "cache"
 * → "cach", "patches" and "patch" → "patch", "images" and "image" → "imag"; "analysis", "loss" and
 * "corpus" stay. Terms are never shown: explanations use the text's own words.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) {
    return word;
  }
  let base = word;
  if (base.endsWith('ies') && base.length > 4) {
    base = `${base.slice(0, -3)}y`;
  } else if (/(?:ss|is)$/.test(base) || (base.length >= 5 && base.endsWith('us'))) {
    // Singular: "loss", "analysis", "corpus", "status" ("gpus", 4 letters, is a plural).
  } else if (/(?:ches|shes|xes)$/.test(base)) {
    base = base.slice(0, -2);
  } else if (base.endsWith('s')) {
    base = base.slice(0, -1);
  }
  return base.length > 3 && base.endsWith('e') ? base.slice(0, -1) : base;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Terms of a text in order: unigrams, each followed by the bigram it ends (when its neighbour was kept). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let previous: Token | null = null;
  let lastEnd = 0;
  const normalized = text.normalize('NFKC');
  for (const match of normalized.matchAll(WORD)) {
    const start = match.index;
    if (PHRASE_BREAK.test(normalized.slice(lastEnd, start))) {
      previous = null;
    }
    lastEnd = start + match[0].length;
    const surface = match[0].replace(/['’]s$/u, '');
    const lower = surface.toLowerCase();
    if (lower.length < 2 || lower.length > 30 || /^\d+$/.test(lower) || STOP_WORDS.has(lower)) {
      previous = null;
      continue;
    }
    const token = { term: stem(lower), surface };
    tokens.push(token);
    if (previous) {
      tokens.push({ term: `${previous.term} ${token.term}`, surface: `${previous.surface} ${token.surface}` });
    }
    previous = token;
  }
  return tokens;
}
