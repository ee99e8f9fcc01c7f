import { hasSearchTerms, searchTermsProblem } from './search-terms';

describe('hasSearchTerms', () => {
  it.each(['llm', 'The Transformer', '"test-time scaling"', '-survey', 'état de l’art', 'gpt4', 'x'])(
    'should find words to search for in %j',
    (text) => {
      expect(hasSearchTerms(text)).toBe(true);
    },
  );

  it.each(['the', 'THE', 'the and of', '"the"', "don't", '...', '-- !!', ''])('should find none in %j', (text) => {
    expect(hasSearchTerms(text)).toBe(false);
  });
});

describe('searchTermsProblem', () => {
  it('should name the field and the text', () => {
    expect(searchTermsProblem('keywords[1]', 'the')).toBe(
      'keywords[1] "the" has no words to search for (stop words such as "the" and punctuation are ignored)',
    );
    expect(searchTermsProblem('q', 'agents')).toBeNull();
  });
});
