import { detectSeedFormat, MAX_SEEDS, parseSeedFile, SeedFileError, seedList } from './seeds';

const identifiers = (format: Parameters<typeof parseSeedFile>[0], content: string) =>
  parseSeedFile(format, content).map((entry) => [entry.where, entry.identifier]);

describe('parseSeedFile', () => {
  it('reads pasted ids and URLs, one per line, skipping blanks and comments', () => {
    expect(
      identifiers(
        'ids',
        '2410.17243v2\n\n# from the reading group\nhttps://arxiv.org/abs/2409.90001\nhttps://huggingface.co/papers/2410.17250\nhttps://doi.org/10.1000/ABC\n10.48550/arXiv.2410.00001\n',
      ),
    ).toEqual([
      ['line 1', { arxivId: '2410.17243' }],
      ['line 4', { arxivId: '2409.90001' }],
      ['line 5', { arxivId: '2410.17250' }],
      ['line 6', { doi: '10.1000/abc' }],
      ['line 7', { arxivId: '2410.00001' }],
    ]);
  });

  it('names the line that is not an id', () => {
    expect(() => parseSeedFile('ids', '2410.17243\nmy favourite paper\n')).toThrow(
      new SeedFileError('line 2: "my favourite paper" is not an arXiv id, DOI, or arXiv, Hugging Face or DOI URL'),
    );
  });

  it('reads BibTeX entries by eprint, DOI, URL or journal, and reports entries without any', () => {
    const bibtex = `% exported
@comment{ignored}
@article{cheng2024,
  title = {{VideoLLaMA} 2: Advancing {S}patial-Temporal Modeling},
  author = "Cheng, Zesen and Zhang, Hang",
  eprint = {2410.17243},
  archivePrefix = {arXiv},
  year = 2024
}
@inproceedings{smith2023, title={A study}, doi = {10.1145/3580305.3599999}}
@misc{hf, url = "https://huggingface.co/papers/2409.90001", note = "Hugging" # " Face"}
@article{preprint, journal = {arXiv preprint arXiv:2410.00002}}
@book{knuth, title = {The Art of Computer Programming}, year = 1968}
`;
    expect(identifiers('bibtex', bibtex)).toEqual([
      ['entry cheng2024 (line 3)', { arxivId: '2410.17243' }],
      ['entry smith2023 (line 10)', { doi: '10.1145/3580305.3599999' }],
      ['entry hf (line 11)', { arxivId: '2409.90001' }],
      ['entry preprint (line 12)', { arxivId: '2410.00002' }],
      ['entry knuth (line 13)', null],
    ]);
  });

  it.each([
    ['@article{open, title = {never closed}\n', 'line 1: the @article entry is never closed (unbalanced braces)'],
    ['@article{a, title = {x}}\n@article{, title = {y}}', 'line 2: the @article entry has no citation key'],
    ['@article{a, title {x}}', 'entry a (line 1): expected a field (name = value) at "title {x}"'],
    ['@article{a, title = {x} year = 2020}', 'entry a (line 1): expected a comma after the value of title'],
    ['\n\n@ article', 'line 3: "@" does not start an entry (expected @type{key, …})'],
  ])('names where malformed BibTeX goes wrong: %s', (bibtex, message) => {
    expect(() => parseSeedFile('bibtex', bibtex)).toThrow(new SeedFileError(message));
  });

  it('reads a Zotero CSL JSON export and names a malformed item', () => {
    const items = [
      {
        id: 'http://zotero.org/1',
        type: 'article',
        number: 'arXiv:2410.17243',
        URL: 'http://arxiv.org/abs/2410.17243v1',
      },
      { id: 'j2', type: 'article-journal', DOI: '10.1000/xyz' },
      { id: 'book', type: 'book', title: 'No id' },
    ];
    expect(identifiers('csl-json', JSON.stringify(items))).toEqual([
      ['item 1 (http://zotero.org/1)', { arxivId: '2410.17243' }],
      ['item 2 (j2)', { doi: '10.1000/xyz' }],
      ['item 3 (book)', null],
    ]);
    expect(() => parseSeedFile('csl-json', '[{"id": 1},')).toThrow(/^not JSON: /);
    expect(() => parseSeedFile('csl-json', '{"items": []}')).toThrow(
      new SeedFileError('CSL JSON must be an array of items'),
    );
    expect(() => parseSeedFile('csl-json', '[{"DOI": "10.1000/a"}, 3]')).toThrow(
      new SeedFileError('item 2 is not an object'),
    );
  });

  it('reads RIS records and names the line that breaks the format', () => {
    const ris = [
      'TY  - JOUR',
      'TI  - A paper',
      'DO  - 10.1000/ris',
      'ER  - ',
      '',
      'TY  - GEN',
      'UR  - https://arxiv.org/abs/2410.17243',
      'ER  -',
    ].join('\r\n');
    expect(identifiers('ris', ris)).toEqual([
      ['record of line 1', { doi: '10.1000/ris' }],
      ['record of line 6', { arxivId: '2410.17243' }],
    ]);
    expect(() => parseSeedFile('ris', 'TY  - JOUR\nTitle: a paper\nER  - ')).toThrow(
      new SeedFileError('line 2: "Title: a paper" is not a RIS line (XX  - value)'),
    );
    expect(() => parseSeedFile('ris', 'TY  - JOUR\nDO  - 10.1000/a')).toThrow(
      new SeedFileError('line 1: the record is never ended (ER  - )'),
    );
    expect(() => parseSeedFile('ris', 'DO  - 10.1000/a\nER  - ')).toThrow(
      new SeedFileError('line 1: DO outside a record (records start with TY)'),
    );
  });

  it(`refuses more than ${MAX_SEEDS} entries`, () => {
    const ids = Array.from({ length: MAX_SEEDS + 1 }, (_, i) => `10.1000/${i}`).join('\n');
    expect(() => parseSeedFile('ids', ids)).toThrow(
      new SeedFileError(`${MAX_SEEDS + 1} entries: at most ${MAX_SEEDS} seed papers at a time`),
    );
    expect(parseSeedFile('ids', ids.split('\n').slice(0, MAX_SEEDS).join('\n'))).toHaveLength(MAX_SEEDS);
  });
});

describe('detectSeedFormat', () => {
  it('goes by the extension, else by how the file starts', () => {
    expect(detectSeedFormat('library.bib', '')).toBe('bibtex');
    expect(detectSeedFormat('My Library.JSON', '')).toBe('csl-json');
    expect(detectSeedFormat('export.ris', '')).toBe('ris');
    expect(detectSeedFormat('ids.txt', '@x')).toBe('ids');
    expect(detectSeedFormat('export', '\uFEFF  [{"id": "a"}]')).toBe('csl-json');
    expect(detectSeedFormat('export', '@article{a,}')).toBe('bibtex');
    expect(detectSeedFormat('export', 'TY  - JOUR\nER  - ')).toBe('ris');
    expect(detectSeedFormat('export', '% from JabRef\n\n@misc{a,}')).toBe('bibtex');
    expect(detectSeedFormat('export.pdf', '%PDF-1.7 @x{')).toBeNull();
    expect(detectSeedFormat('notes', 'hello')).toBeNull();
  });
});

describe('seedList', () => {
  it('names each item by its place, and the first that names no paper', () => {
    expect(seedList('seedPapers', ['2410.17243', 'https://doi.org/10.1000/X'])).toEqual({
      entries: [
        { where: 'seedPapers[0]', identifier: { arxivId: '2410.17243' } },
        { where: 'seedPapers[1]', identifier: { doi: '10.1000/x' } },
      ],
      wrong: null,
    });
    expect(seedList('seedPapers', ['2410.17243', 'my favourite paper']).wrong).toBe(
      'seedPapers[1] "my favourite paper" is not an arXiv id, DOI, or arXiv, Hugging Face or DOI URL',
    );
  });
});
