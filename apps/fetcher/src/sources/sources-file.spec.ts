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
    expect(message).toContain('kind must be one of hf-daily-papers (got "gopher")');
    expect(message).toContain('url must be an http(s) URL (got "ftp://x")');
    expect(message).toContain('schedule must be a cron pattern');
    expect(message).toContain('timezone must be an IANA zone');
    expect(message).toContain('sources[2] (ok): id "ok" is used twice');
  });

  it('should say so when the file is not YAML or has no list', () => {
    expect(() => parseSourcesFile('sources: [', 'f.yml')).toThrow(/not valid YAML/);
    expect(() => parseSourcesFile('other: 1', 'f.yml')).toThrow(/expected a top-level "sources:" list/);
  });
});
