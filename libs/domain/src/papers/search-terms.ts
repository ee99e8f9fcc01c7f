/**
 * Postgres' English stop words (share/tsearch_data/english.stop), which full-text search drops: a query made of
 * them alone matches nothing, and Postgres does not say so.
 */
const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself they them their theirs themselves what which who whom this that these those am is are ' +
    'was were be been being have has had having do does did doing a an the and but if or because as until while ' +
    'of at by for with about against between into through during before after above below to from up down in out ' +
    'on off over under again further then once here there when where why how all any both each few more most ' +
    'other some such no nor not only own same so than too very s t can will just don should now'
  ).split(' '),
);

/** Letters and digits in a row: what Postgres' parser reads as a word (punctuation separates them). */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Whether a search text has at least one word full-text search will look for: not only stop words ("the"),
 * punctuation or quotes. One rule for searching papers and for a subscription's keywords, so a keyword the
 * search box refuses is refused as a subscription keyword too.
 */
export function hasSearchTerms(text: string): boolean {
  return (text.toLowerCase().match(WORD) ?? []).some((word) => !STOP_WORDS.has(word));
}

/** Why a search text cannot be searched (naming it as `field`), or null when it can. */
export function searchTermsProblem(field: string, text: string): string | null {
  return hasSearchTerms(text)
    ? null
    : `${field} ${JSON.stringify(text)} has no words to search for (stop words such as "the" and punctuation are ignored)`;
}
