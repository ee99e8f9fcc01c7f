import { ListingIdentifierFields, normaliseListingIdentifiers } from './identifiers';

const fields = (overrides: Partial<ListingIdentifierFields>): ListingIdentifierFields => ({
  arxivId: null,
  arxivVersion: null,
  doi: null,
  url: null,
  ...overrides,
});

describe('normaliseListingIdentifiers', () => {
  it('should normalise an arXiv id and a DOI together', () => {
    expect(
      normaliseListingIdentifiers(fields({ arxivId: 'arXiv:2410.17243v2', doi: 'https://doi.org/10.5802/JEP.257' })),
    ).toEqual({
      ok: true,
      identifiers: { arxivId: '2410.17243', version: 2, doi: '10.5802/jep.257' },
    });
  });

  it("should prefer the source's explicit version to the one in the id", () => {
    expect(normaliseListingIdentifiers(fields({ arxivId: '2410.17243v1', arxivVersion: 3 }))).toEqual({
      ok: true,
      identifiers: { arxivId: '2410.17243', version: 3, doi: null },
    });
  });

  it("should turn arXiv's own DataCite DOI into the arXiv id", () => {
    expect(normaliseListingIdentifiers(fields({ doi: 'https://doi.org/10.48550/arXiv.2410.17243' }))).toEqual({
      ok: true,
      identifiers: { arxivId: '2410.17243', version: null, doi: null },
    });
    expect(normaliseListingIdentifiers(fields({ arxivId: '2410.17243v2', doi: '10.48550/arXiv.2410.17243' }))).toEqual({
      ok: true,
      identifiers: { arxivId: '2410.17243', version: 2, doi: null },
    });
  });

  it('should find the identifier in an arxiv.org or doi.org link when the source stored none', () => {
    expect(normaliseListingIdentifiers(fields({ url: 'https://arxiv.org/abs/2410.17243v2' }))).toEqual({
      ok: true,
      identifiers: { arxivId: '2410.17243', version: 2, doi: null },
    });
    expect(normaliseListingIdentifiers(fields({ url: 'https://doi.org/10.1101/2024.10.25.620101' }))).toEqual({
      ok: true,
      identifiers: { arxivId: null, version: null, doi: '10.1101/2024.10.25.620101' },
    });
    expect(normaliseListingIdentifiers(fields({ url: 'https://blog.example.org/posts/10.1000/abc' }))).toEqual({
      ok: true,
      identifiers: { arxivId: null, version: null, doi: null },
    });
  });

  it('should reject unreadable or contradictory identifiers, naming them', () => {
    expect(normaliseListingIdentifiers(fields({ arxivId: 'arXiv:24xx.1' }))).toEqual({
      ok: false,
      reason: 'unparseable arXiv id "arXiv:24xx.1" (expected e.g. 2410.17243 or hep-th/9901001)',
    });
    expect(normaliseListingIdentifiers(fields({ arxivId: '2410.17243', doi: 'n/a' }))).toEqual({
      ok: false,
      reason: 'unparseable DOI "n/a" (expected 10.<registrant>/<suffix>)',
    });
    expect(normaliseListingIdentifiers(fields({ arxivId: '2410.17243', doi: '10.48550/arXiv.2410.99999' }))).toEqual({
      ok: false,
      reason: "DOI 10.48550/arxiv.2410.99999 names arXiv paper 2410.99999, but the listing's arXiv id is 2410.17243",
    });
  });

  it('should treat blank identifiers as absent', () => {
    expect(normaliseListingIdentifiers(fields({ arxivId: '  ', doi: '' }))).toEqual({
      ok: true,
      identifiers: { arxivId: null, version: null, doi: null },
    });
  });
});
