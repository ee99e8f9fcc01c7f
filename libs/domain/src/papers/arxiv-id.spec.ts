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
    // Forms from PDFs, BibTeX, feeds and pasted links.
    ['arXiv:2410.17243v2 [cs.CL]', '2410.17243', 2],
    ['arXiv:2410.17243v2 [cs.CL] 3 Oct 2024', '2410.17243', 2],
    ['ARXIV:2410.17243', '2410.17243', null],
    ['arXiv: 2410.17243', '2410.17243', null],
    ['arXiv preprint arXiv:2410.17243', '2410.17243', null],
    ['  2410.17243V2  ', '2410.17243', 2],
    ['https://www.arxiv.org/abs/2410.17243', '2410.17243', null],
    ['http://export.arxiv.org/abs/2410.17243v4', '2410.17243', 4],
    ['HTTPS://ARXIV.ORG/ABS/2410.17243', '2410.17243', null],
    ['arxiv.org/abs/2410.17243', '2410.17243', null],
    ['https://arxiv.org/html/2410.17243v2#S3', '2410.17243', 2],
    ['https://arxiv.org/abs/2410.17243?context=cs.LG', '2410.17243', null],
    ['https://arxiv.org/abs/2410.17243/', '2410.17243', null],
    ['https://arxiv.org/pdf/2410.17243', '2410.17243', null],
    ['https://huggingface.co/papers/2410.17243v1', '2410.17243', 1],
    ['HEP-TH/9901001', 'hep-th/9901001', null],
    ['arXiv:cond-mat.str-el/0101001v2', 'cond-mat/0101001', 2],
    ['https://arxiv.org/abs/math/0611800v2', 'math/0611800', 2],
    // An id that ends a sentence loses its punctuation, as a DOI does.
    ['arXiv:2410.17243.', '2410.17243', null],
    ['arXiv:2410.17243v2,', '2410.17243', 2],
    ['arXiv:hep-th/9901001;', 'hep-th/9901001', null],
    ['https://arxiv.org/pdf/2410.17243v2.pdf.', '2410.17243', 2],
    ['https://hf.co/papers/2410.17243', '2410.17243', null],
    ['https://browse.arxiv.org/abs/2410.17243v3', '2410.17243', 3],
    // Four digits after the dot up to December 2014, five from January 2015.
    ['1412.1234', '1412.1234', null],
    ['1501.00001', '1501.00001', null],
  ])('should read %s as %s version %s', (raw, id, version) => {
    expect(parseArxivId(raw)).toEqual({ id, version });
  });

  it.each([
    '',
    'not an id',
    '2410.172',
    '10.1000/xyz123',
    '2410.17243v0',
    '2410.17243v99999999999',
    'hep-th/9901001v12345',
    'https://example.org/abs/2410.17243',
    'https://arxiv.org/list/cs.CL/new',
    'arxiv.org',
    `2410.17243${' '.repeat(400)}x`,
    // Not a number arXiv gives out: 4 digits after 2014, 5 before 2015, before April 2007, month 13.
    '2410.1724',
    '1501.1234',
    '1412.12345',
    '0703.1234',
    '2413.12345',
    'https://hf.co/datasets/2410.17243',
    'https://browse.arxiv.org/list/2410.17243',
  ])('should reject %s', (raw) => {
    expect(parseArxivId(raw)).toBeNull();
  });
});
