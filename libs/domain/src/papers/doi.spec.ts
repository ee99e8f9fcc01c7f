import { arxivIdFromDoi, doiUrl, parseDoi } from './doi';

describe('parseDoi', () => {
  it.each([
    ['10.1000/abc', '10.1000/abc'],
    ['10.1000/ABC', '10.1000/abc'],
    ['https://doi.org/10.1000/ABC', '10.1000/abc'],
    ['http://dx.doi.org/10.1000/abc', '10.1000/abc'],
    ['doi.org/10.1000/abc', '10.1000/abc'],
    ['https://doi.org/10.1000%2FABC', '10.1000/abc'],
    ['doi:10.1000/abc', '10.1000/abc'],
    ['DOI: 10.1000/abc', '10.1000/abc'],
    ['DOI 10.1000/abc', '10.1000/abc'],
    ['info:doi/10.1000/abc', '10.1000/abc'],
    ['urn:doi:10.1000/abc', '10.1000/abc'],
    ['  10.1101/2024.10.25.620101  ', '10.1101/2024.10.25.620101'],
    ['doi:10.5802/jep.257.', '10.5802/jep.257'],
    ['10.1000.10/xyz(2024)1-2', '10.1000.10/xyz(2024)1-2'],
    ['10.48550/arXiv.2410.17243', '10.48550/arxiv.2410.17243'],
  ])('should normalise %s to %s', (raw, doi) => {
    expect(parseDoi(raw)).toBe(doi);
  });

  it.each([
    '',
    'abc',
    '10.1000',
    '10.1000/',
    '10.12/abc',
    '11.1000/abc',
    '10.1000/a b',
    'https://example.org/10.1000/abc',
  ])('should reject %s', (raw) => {
    expect(parseDoi(raw)).toBeNull();
  });
});

describe('arxivIdFromDoi', () => {
  it('should map arXiv DataCite DOIs to the arXiv id and leave other DOIs alone', () => {
    expect(arxivIdFromDoi('10.48550/arxiv.2410.17243')).toEqual({ id: '2410.17243', version: null });
    expect(arxivIdFromDoi('10.48550/arxiv.hep-th/9901001')).toEqual({ id: 'hep-th/9901001', version: null });
    expect(arxivIdFromDoi('10.1000/abc')).toBeNull();
    expect(arxivIdFromDoi('10.48550/arxiv.nonsense')).toBeNull();
  });
});

describe('doiUrl', () => {
  it('should link to the resolver and escape what a URL cannot carry', () => {
    expect(doiUrl('10.1000/abc')).toBe('https://doi.org/10.1000/abc');
    expect(doiUrl('10.1000/a#b?c')).toBe('https://doi.org/10.1000/a%23b%3Fc');
  });
});
