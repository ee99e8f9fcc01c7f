import { authorKey, authorLastName, authorOverlap, authorsOverlap } from './authors';

describe('authorLastName', () => {
  it.each([
    ['Alice Smith', 'smith'],
    ['A. Smith', 'smith'],
    ['Smith, Alice', 'smith'],
    ['Smith AB', 'smith'],
    ['Alice Smith Jr.', 'smith'],
    ['Martin Luther King, Jr.', 'king'],
    ['José Núñez', 'nunez'],
    ["Conan O'Brien", 'obrien'],
    ['Jan van der Berg', 'berg'],
    ['  ', null],
  ])('should read %j as %j', (name, last) => {
    expect(authorLastName(name)).toBe(last);
  });
});

describe('authorKey', () => {
  it.each([
    ['Alice Smith', { last: 'smith', initial: 'a' }],
    ['A. Smith', { last: 'smith', initial: 'a' }],
    ['Smith, Alice', { last: 'smith', initial: 'a' }],
    ['Smith AB', { last: 'smith', initial: 'a' }],
    ['Martin Luther King, Jr.', { last: 'king', initial: 'm' }],
    ['Émile Zola', { last: 'zola', initial: 'e' }],
    ['Plato', { last: 'plato', initial: null }],
  ])('should read %j as %j', (name, key) => {
    expect(authorKey(name)).toEqual(key);
  });
});

describe('authorOverlap', () => {
  it('should measure the share of the shorter list found in the longer one', () => {
    expect(authorOverlap(['Alice Smith', 'Bob Jones'], ['A. Smith', 'B. Jones', 'C. Wu'])).toBe(1);
    expect(authorOverlap(['Alice Smith', 'Bob Jones'], ['Alice Smith', 'Dan Lee'])).toBe(0.5);
    expect(authorOverlap(['Smith, Alice'], ['José Núñez', 'Alice Smith'])).toBe(1);
    expect(authorOverlap([], ['Alice Smith'])).toBe(0);
  });

  it('should count a repeated last name only as often as the other list has it', () => {
    expect(authorOverlap(['Wei Zhang', 'Li Zhang'], ['Wei Zhang', 'Yu Chen'])).toBe(0.5);
  });

  it('should not take a shared surname with another first initial for the same author', () => {
    // Generic titles by people named Wang and Li are common: a surname alone would merge two papers.
    expect(authorOverlap(['Wei Wang', 'Jun Li'], ['Xin Wang', 'Ming Li', 'Yue Zhang', 'Hao Chen'])).toBe(0);
    expect(authorOverlap(['Wang', 'Li'], ['Xin Wang', 'Ming Li'])).toBe(1);
  });

  it('should give an exact initial its own match before a name without initial takes it', () => {
    expect(authorOverlap(['Smith', 'Alice Smith'], ['Alice Smith', 'Bob Smith'])).toBe(1);
  });

  it('should call at least half of the shorter list an overlap', () => {
    expect(authorsOverlap(['A. Smith', 'B. Jones'], ['Alice Smith', 'Carol Wu', 'Dan Lee'])).toBe(true);
    expect(authorsOverlap(['A. Smith', 'B. Jones', 'C. Wu'], ['Alice Smith', 'Dan Lee', 'Eve Park'])).toBe(false);
    expect(authorsOverlap([], [])).toBe(false);
  });
});
