// A hyphenated word as people type it: maybe negated, in brackets, possessive or followed by punctuation.
const COMPOUND = /^(-?)[([{]*([\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+)(?:['’]s)?[)\]}.,;:!?]*$/u;
const INNER_HYPHEN = /(?<=[\p{L}\p{N}])-(?=[\p{L}\p{N}])/gu;
const MAX_QUERY = 500;

/**
 * Rewrites a user's search for Postgres' `websearch_to_tsquery` so hyphenated words match however the paper
 * wrote them: `resource-constrained` becomes the phrase `"resource constrained"`, which matches both
 * "resource-constrained" and "resource constrained" (the raw form requires the hyphenated lexeme), and hyphens
 * inside quotes are read the same way. Negation (`-survey`), quotes and `or` keep their websearch meaning.
 */
export function toWebSearchQuery(query: string): string {
  const text = query.slice(0, MAX_QUERY);
  const parts: string[] = [];
  let rest = text;
  while (rest !== '') {
    const quote = rest.indexOf('"');
    const before = quote === -1 ? rest : rest.slice(0, quote);
    parts.push(
      ...before
        .split(/\s+/)
        .filter((token) => token !== '')
        .map(rewriteToken),
    );
    if (quote === -1) {
      break;
    }
    // A leading "-" right before the quote negates the phrase: keep it attached.
    const negated = parts.length > 0 && parts[parts.length - 1] === '-';
    if (negated) {
      parts.pop();
    }
    const close = rest.indexOf('"', quote + 1);
    const phrase = (close === -1 ? rest.slice(quote + 1) : rest.slice(quote + 1, close))
      .replace(INNER_HYPHEN, ' ')
      .trim();
    if (phrase !== '') {
      parts.push(`${negated ? '-' : ''}"${phrase}"`);
    }
    rest = close === -1 ? '' : rest.slice(close + 1);
  }
  return parts.join(' ');
}

function rewriteToken(token: string): string {
  const compound = COMPOUND.exec(token);
  return compound ? `${compound[1]}"${compound[2].replace(/-/g, ' ')}"` : token;
}
