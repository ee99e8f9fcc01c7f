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
    // Percent-encoded: decoded in every form, not only behind a resolver URL.
    ['doi:10.1002/%28SICI%291097-4571', '10.1002/(sici)1097-4571'],
    ['https://doi.org/10.1002/%28SICI%291097-4571', '10.1002/(sici)1097-4571'],
    ['10.1000/abc%23def', '10.1000/abc#def'],
    ['10.1000/50%', '10.1000/50%'],
    ['10.1000/a%zz%E0%A4%41', '10.1000/a%zz%e0%a4a'],
    // Labels and resolver URLs in any order, any number of times.
    ['doi: https://doi.org/10.1000/ABC', '10.1000/abc'],
    ['DOI https://dx.doi.org/10.1000/abc', '10.1000/abc'],
    ['https://doi.org/doi:10.1000/abc', '10.1000/abc'],
    ['https://doi.org/10.1000/abc/', '10.1000/abc'],
    ['https://doi.org/10.1000/abc?via=feed#top', '10.1000/abc'],
    ['\u200B10.1000/abc\uFEFF', '10.1000/abc'],
    ['doi:10.1000/a\u200Cb\u200D', '10.1000/ab'],
  ])('should normalise %j to %s', (raw, doi) => {
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
    'doi: https://doi.org/',
    '10.1000/a%20b',
  ])('should reject %s', (raw) => {
    expect(parseDoi(raw)).toBeNull();
  });

  it('should read a percent-encoded DOI the same with or without the resolver URL', () => {
    // One paper, one DOI: a bare or doi: form left encoded would make a second record.
    expect(parseDoi('doi:10.1002/%28SICI%291097-4571')).toBe(parseDoi('https://doi.org/10.1002/%28SICI%291097-4571'));
    expect(parseDoi('10.1000/abc%23def')).toBe(parseDoi('https://doi.org/10.1000/abc%23def'));
    expect(parseDoi('10.1000/%E2%80%9Cq%E2%80%9D')).toBe(parseDoi('https://doi.org/10.1000%2F%E2%80%9Cq%E2%80%9D'));
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
