import { pickTitleMatch, TitleMatchCandidate } from './paper-match';

const noIds = { arxivId: null, version: null, doi: null };
const paper = (id: string, overrides: Partial<TitleMatchCandidate> = {}): TitleMatchCandidate & { id: string } => ({
  id,
  arxivId: null,
  doi: null,
  authors: ['Alice Smith', 'Bob Jones'],
  ...overrides,
});

describe('pickTitleMatch', () => {
  it('should pick the one paper with overlapping authors', () => {
    const candidates = [paper('a'), paper('b', { authors: ['Carol Wu', 'Dan Lee'] })];
    expect(pickTitleMatch(candidates, { identifiers: noIds, authors: ['A. Smith', 'B. Jones'] })?.id).toBe('a');
  });

  it('should pick nothing when the authors do not overlap enough', () => {
    expect(
      pickTitleMatch([paper('a')], { identifiers: noIds, authors: ['Carol Wu', 'Dan Lee', 'Eve Park'] }),
    ).toBeNull();
    expect(
      pickTitleMatch([paper('a', { authors: ['A. Smith', 'B. Jones', 'C. Wu'] })], {
        identifiers: noIds,
        authors: ['Alice Smith', 'Dan Lee', 'Eve Park'],
      }),
    ).toBeNull();
    expect(pickTitleMatch([paper('a')], { identifiers: noIds, authors: [] })).toBeNull();
  });

  it('should pick nothing when two papers match equally: no guessing', () => {
    expect(pickTitleMatch([paper('a'), paper('b')], { identifiers: noIds, authors: ['Alice Smith'] })).toBeNull();
  });

  it('should skip papers whose identifiers contradict the listing', () => {
    const candidates = [
      paper('other-arxiv', { arxivId: '2410.00002' }),
      paper('other-doi', { doi: '10.1000/b' }),
      paper('free'),
    ];
    const listing = {
      identifiers: { arxivId: '2410.00001', version: null, doi: '10.1000/a' },
      authors: ['Alice Smith'],
    };
    expect(pickTitleMatch(candidates, listing)?.id).toBe('free');
  });
});
