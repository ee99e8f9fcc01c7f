import { parseArxivId } from './arxiv-id';

describe('parseArxivId', () => {
  it.each([
    ['2410.17243', '2410.17243', null],
    ['2410.17243v3', '2410.17243', 3],
    ['arXiv:2410.17243v2', '2410.17243', 2],
    ['oai:arXiv.org:2203.01250v3', '2203.01250', 3],
    ['https://arxiv.org/abs/2410.17243v1', '2410.17243', 1],
    ['http://arxiv.org/pdf/2410.17243v2.pdf', '2410.17243', 2],
    ['https://huggingface.co/papers/2410.17243', '2410.17243', null],
    ['0704.0001', '0704.0001', null],
    ['hep-th/9901001v1', 'hep-th/9901001', 1],
    ['math.CA/0611800v2', 'math/0611800', 2],
  ])('should read %s as %s version %s', (raw, id, version) => {
    expect(parseArxivId(raw)).toEqual({ id, version });
  });

  it.each(['', 'not an id', '2410.172', '10.1000/xyz123', '2410.17243v0'])('should reject %s', (raw) => {
    expect(parseArxivId(raw)).toBeNull();
  });
});
