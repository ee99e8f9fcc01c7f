import { PermanentError } from '@libs/domain';
import { MAX_LOOKUP_IDS, parseLookupIds } from './lookup-ids';

describe('parseLookupIds', () => {
  it('should accept the forms operators paste, keep a named version and ask for each paper once', () => {
    expect(
      parseLookupIds([
        'arXiv:2410.17243',
        'https://arxiv.org/abs/2410.16251v2',
        '2410.17243',
        'hep-th/9901001',
        'https://huggingface.co/papers/2410.18234',
      ]),
    ).toEqual(['2410.17243', '2410.16251v2', 'hep-th/9901001', '2410.18234']);
  });

  it('should name every string that is not an arXiv id', () => {
    expect(() => parseLookupIds(['2410.17243', 'not-an-id', '10.1000/xyz'])).toThrow(
      new PermanentError('Not arXiv ids: "not-an-id", "10.1000/xyz"'),
    );
    expect(() => parseLookupIds([])).toThrow('No arXiv id to look up');
  });

  it('should refuse more ids than one lookup may carry', () => {
    const ids = Array.from({ length: MAX_LOOKUP_IDS + 1 }, (_, i) => `2410.${String(i).padStart(5, '0')}`);
    expect(() => parseLookupIds(ids)).toThrow(
      `${MAX_LOOKUP_IDS + 1} arXiv ids in one lookup: at most 1000, split them`,
    );
  });
});
