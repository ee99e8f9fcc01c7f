import { InvalidSourcesFileError, parseSourcesFile } from './sources-file';

describe('parseSourcesFile', () => {
  it('should read sources with their defaults', () => {
    const sources = parseSourcesFile(
      `sources:
  - id: hf-daily
    kind: hf-daily-papers
    url: https://huggingface.co/api/daily_papers
    schedule: "0 */3 * * *"
`,
      'sources.yml',
    );
    expect(sources).toEqual([
      {
        id: 'hf-daily',
        kind: 'hf-daily-papers',
        url: 'https://huggingface.co/api/daily_papers',
        schedule: '0 */3 * * *',
        timezone: 'UTC',
      },
    ]);
  });

  it('should report every bad value with the source it belongs to', () => {
    const content = `sources:
  - id: Bad Id
    kind: gopher
    url: ftp://x
    schedule: "every day"
    timezone: Mars/Olympus
  - id: ok
    kind: hf-daily-papers
    url: https://example.org/api
    schedule: "0 6 * * *"
  - id: ok
    kind: hf-daily-papers
    url: https://example.org/api
    schedule: "0 6 * * *"
`;
    let message = '';
    try {
      parseSourcesFile(content, 'config/sources.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSourcesFileError);
      message = (error as Error).message;
    }
    expect(message).toContain('Invalid sources file config/sources.yml');
    expect(message).toContain('sources[0] (Bad Id): id must be lower-case');
    expect(message).toContain('kind must be one of hf-daily-papers, arxiv-rss, arxiv-api, rss (got "gopher")');
    expect(message).toContain('url must be an http(s) URL (got "ftp://x")');
    expect(message).toContain('schedule must be a cron pattern');
    expect(message).toContain('timezone must be an IANA zone');
    expect(message).toContain('sources[2] (ok): id "ok" is used twice');
  });

  it('should read every kind, turning arxiv-api categories into its search_query', () => {
    const sources = parseSourcesFile(
      `sources:
  - id: arxiv-ml
    kind: arxiv-rss
    url: https://rss.arxiv.org/atom/cs.LG+cs.CL
    schedule: "30 5 * * 1-5"
  - id: arxiv-api-ml
    kind: arxiv-api
    url: https://export.arxiv.org/api/query
    categories: [cs.LG, cs.CL]
    schedule: "0 7 * * *"
  - id: arxiv-api-query
    kind: arxiv-api
    url: "https://export.arxiv.org/api/query?search_query=cat:cs.LG+AND+abs:diffusion"
    schedule: "0 7 * * *"
  - id: biorxiv
    kind: rss
    url: https://connect.biorxiv.org/biorxiv_xml.php?subject=bioinformatics
    schedule: "0 */6 * * *"
    timezone: America/Los_Angeles
`,
      'sources.yml',
    );
    expect(sources.map((source) => [source.id, source.kind])).toEqual([
      ['arxiv-ml', 'arxiv-rss'],
      ['arxiv-api-ml', 'arxiv-api'],
      ['arxiv-api-query', 'arxiv-api'],
      ['biorxiv', 'rss'],
    ]);
    expect(new URL(sources[1].url).searchParams.get('search_query')).toBe('cat:cs.LG OR cat:cs.CL');
    expect(new URL(sources[2].url).searchParams.get('search_query')).toBe('cat:cs.LG AND abs:diffusion');
    expect(sources[3]).toMatchObject({
      url: 'https://connect.biorxiv.org/biorxiv_xml.php?subject=bioinformatics',
      timezone: 'America/Los_Angeles',
    });
    expect(sources[0]).not.toHaveProperty('categories');
  });

  it('should name what is wrong with an arxiv-api selection', () => {
    const content = `sources:
  - id: none
    kind: arxiv-api
    url: https://export.arxiv.org/api/query
    schedule: "0 7 * * *"
  - id: both
    kind: arxiv-api
    url: https://export.arxiv.org/api/query?search_query=cat:cs.LG
    categories: [cs.CL]
    schedule: "0 7 * * *"
  - id: bad-cats
    kind: arxiv-api
    url: https://export.arxiv.org/api/query
    categories: ["cs LG", 3]
    schedule: "0 7 * * *"
  - id: dated
    kind: arxiv-api
    url: "https://export.arxiv.org/api/query?search_query=cat:cs.LG+AND+submittedDate:[202601010000+TO+202601012359]"
    schedule: "0 7 * * *"
  - id: paged
    kind: arxiv-api
    url: https://export.arxiv.org/api/query?search_query=cat:cs.LG&start=10&max_results=5
    schedule: "0 7 * * *"
  - id: rss-cats
    kind: rss
    url: https://example.org/feed.xml
    categories: [cs.LG]
    schedule: "0 7 * * *"
`;
    let message = '';
    try {
      parseSourcesFile(content, 'sources.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1)).toEqual([
      '  - sources[0] (none): an arxiv-api source needs categories or a search_query in its url',
      '  - sources[1] (both): give either categories or a search_query in the url, not both',
      '  - sources[2] (bad-cats): categories must be a list of arXiv categories such as [cs.LG, cs.CL] (got ["cs LG",3])',
      '  - sources[3] (dated): search_query must not filter on submittedDate: the fetcher adds each listing date',
      '  - sources[4] (paged): the url must not set start, max_results: the fetcher sets them',
      '  - sources[5] (rss-cats): categories apply to arxiv-api sources only (the arxiv-rss url names its categories)',
    ]);
  });

  it('should say so when the file is not YAML or has no list', () => {
    expect(() => parseSourcesFile('sources: [', 'f.yml')).toThrow(/not valid YAML/);
    expect(() => parseSourcesFile('other: 1', 'f.yml')).toThrow(/expected a top-level "sources:" list/);
  });

  it('should let a Hugging Face or feed source look its arXiv ids up with an arxiv-api source of the file', () => {
    const file = (lookupWith: string, kind = 'hf-daily-papers'): string => `sources:
  - id: hf-daily
    kind: ${kind}
    url: https://huggingface.co/api/daily_papers
    schedule: "0 */3 * * *"
    lookupWith: ${lookupWith}
  - id: arxiv-lookup
    kind: arxiv-api
    url: https://export.arxiv.org/api/query
    categories: [cs.LG]
    schedule: "0 7 * * *"
`;
    expect(parseSourcesFile(file('arxiv-lookup'), 'sources.yml')[0]).toMatchObject({ lookupWith: 'arxiv-lookup' });
    expect(() => parseSourcesFile(file('hf-daily'), 'sources.yml')).toThrow(
      'sources (hf-daily): lookupWith "hf-daily" must be the id of an arxiv-api source in this file',
    );
    expect(() => parseSourcesFile(file('nowhere'), 'sources.yml')).toThrow(
      'lookupWith "nowhere" must be the id of an arxiv-api source',
    );
    expect(() => parseSourcesFile(file('arxiv-lookup', 'arxiv-rss'), 'sources.yml')).toThrow(
      'sources[0] (hf-daily): lookupWith applies to hf-daily-papers and rss sources only',
    );
  });
});
