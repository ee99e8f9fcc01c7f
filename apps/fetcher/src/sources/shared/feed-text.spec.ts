import { decodeXml, findArxivId, findDoi, htmlToText, itemDate, normaliseDoi, splitAuthors } from './feed-text';

describe('decodeXml', () => {
  const xml = (encoding: string, text: string): string =>
    `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>${text}</title></channel></rss>`;

  it('should strip a UTF-8 byte-order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml('utf-8', 'Café'), 'utf8')]);
    expect(decodeXml(body, 'application/rss+xml; charset=utf-8')).toBe(xml('utf-8', 'Café'));
  });

  it('should honour the Content-Type charset over the XML declaration', () => {
    const body = Buffer.from(xml('utf-8', 'Müller'), 'latin1');
    expect(decodeXml(body, 'text/xml; charset="ISO-8859-1"')).toContain('<title>Müller</title>');
  });

  it('should fall back to the XML declaration, then to UTF-8', () => {
    expect(decodeXml(Buffer.from(xml('ISO-8859-1', 'Ibáñez'), 'latin1'), 'application/xml')).toContain('Ibáñez');
    expect(decodeXml(Buffer.from(xml('utf-8', 'Ибаньес'), 'utf8'))).toContain('Ибаньес');
    expect(decodeXml(Buffer.from('<rss version="2.0"><channel><title>Ω</title></channel></rss>', 'utf8'))).toContain(
      'Ω',
    );
  });

  it('should decode encodings Node buffers do not know, and UTF-16 by its byte-order mark', () => {
    // "Привет" in windows-1251.
    const cyrillic = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="windows-1251"?><title>'),
      Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]),
      Buffer.from('</title>'),
    ]);
    expect(decodeXml(cyrillic)).toContain('<title>Привет</title>');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<title>日本</title>', 'utf16le')]);
    expect(decodeXml(utf16, 'text/xml')).toBe('<title>日本</title>');
  });

  it('should name a character encoding it cannot decode', () => {
    expect(() => decodeXml(Buffer.from('<rss/>'), 'text/xml; charset=x-klingon')).toThrow(
      'the body is in an unknown character encoding "x-klingon"',
    );
  });
});

describe('normaliseDoi', () => {
  it.each([
    ['10.5802/jep.257', '10.5802/jep.257'],
    ['https://doi.org/10.1103/PhysRevX.13.041041', '10.1103/physrevx.13.041041'],
    ['http://dx.doi.org/10.1529/biophysj.104.047340', '10.1529/biophysj.104.047340'],
    ['doi:10.1101/2024.10.22.619563', '10.1101/2024.10.22.619563'],
    ['DOI: 10.1234/RAA.2024.0143.', '10.1234/raa.2024.0143'],
    ['info:doi/10.1000/xyz', '10.1000/xyz'],
    ['https://doi.org/10.1000%2Fa%20b', null],
    ['https://doi.org/10.1000%2Fabc', '10.1000/abc'],
    ['10.1016/S0140-6736(20)30183-5', '10.1016/s0140-6736(20)30183-5'],
    ['10.1016/S0140-6736(20)30183-5)', '10.1016/s0140-6736(20)30183-5'],
    ['2410.17243', null],
    ['', null],
    // As the classifier reads them: labels and links in any order, decoded once.
    ['doi: https://doi.org/10.1000/ABC', '10.1000/abc'],
    ['https://doi.org/10.1000/abc%2523', '10.1000/abc%23'],
  ])('should read %j as %j', (raw, expected) => {
    expect(normaliseDoi(raw)).toBe(expected);
  });
});

describe('findDoi and findArxivId', () => {
  it('should find a DOI only where the text marks it as one', () => {
    expect(findDoi('<p>Published as <a href="https://doi.org/10.1103/PhysRevX.13.041041">PRX</a></p>')).toBe(
      '10.1103/physrevx.13.041041',
    );
    expect(findDoi('Versión preliminar. DOI: 10.1234/raa.2024.0144</p>')).toBe('10.1234/raa.2024.0144');
    expect(findDoi('We train on 10.1234/abc samples')).toBeNull();
  });

  it('should find an arXiv id in abs, pdf and html links', () => {
    expect(findArxivId('see <a href="https://arxiv.org/abs/2410.17243v1">here</a>')).toEqual({
      id: '2410.17243',
      version: 1,
    });
    expect(findArxivId('http://export.arxiv.org/pdf/2410.18745')).toEqual({ id: '2410.18745', version: null });
    expect(findArxivId('https://arxiv.org/abs/hep-th/9901001v2')).toEqual({ id: 'hep-th/9901001', version: 2 });
    expect(findArxivId('arXiv 2410.17243 without a link')).toBeNull();
  });
});

describe('splitAuthors', () => {
  it('should split arXiv, bioRxiv and semicolon bylines', () => {
    expect(splitAuthors('Antonin Monteil, Paul Pegon')).toEqual(['Antonin Monteil', 'Paul Pegon']);
    expect(splitAuthors(' Kukla, D., Crampton, A., Wood, D., Khetani, S. ')).toEqual([
      'Kukla, D.',
      'Crampton, A.',
      'Wood, D.',
      'Khetani, S.',
    ]);
    expect(splitAuthors('Okafor, C. N., Lindqvist, J.-P., Mbeki, T.')).toEqual([
      'Okafor, C. N.',
      'Lindqvist, J.-P.',
      'Mbeki, T.',
    ]);
    expect(splitAuthors('Pilar Álvarez; Jordi Puig')).toEqual(['Pilar Álvarez', 'Jordi Puig']);
    expect(splitAuthors('Martin Luther King, Jr., Ada Lovelace')).toEqual(['Martin Luther King, Jr.', 'Ada Lovelace']);
    expect(splitAuthors('  ')).toEqual([]);
  });
});

describe('htmlToText', () => {
  it('should keep the text of an HTML fragment on one line', () => {
    expect(
      htmlToText('<p>How <em>Inf-CL</em> avoids it: x &lt; y &amp; z&nbsp;&#8212;&#x2014;</p>\n<script>x()</script>'),
    ).toBe('How Inf-CL avoids it: x < y & z ——');
    expect(htmlToText('A &bogus; entity')).toBe('A &bogus; entity');
  });
});

describe('itemDate', () => {
  const fetchedAt = new Date('2024-10-25T06:00:00Z');

  it('should read RFC 822 and ISO 8601 dates', () => {
    expect((itemDate('Fri, 25 Oct 2024 00:00:00 -0400', fetchedAt) as Date).toISOString()).toBe(
      '2024-10-25T04:00:00.000Z',
    );
    expect((itemDate('2024-10-25T04:00:16.618987+00:00', fetchedAt) as Date).toISOString()).toBe(
      '2024-10-25T04:00:16.618Z',
    );
    expect((itemDate('2024-10-24', fetchedAt) as Date).toISOString()).toBe('2024-10-24T00:00:00.000Z');
  });

  it('should refuse dates that do not parse or are years off, and say null when there is none', () => {
    expect(itemDate(null, fetchedAt)).toBeNull();
    expect(itemDate('yesterday', fetchedAt)).toBe('invalid');
    expect(itemDate('Thu, 01 Jan 1970 00:00:00 GMT', fetchedAt)).toBe('invalid');
    expect(itemDate('2094-10-25T00:00:00Z', fetchedAt)).toBe('invalid');
    expect(itemDate('2024-10-26T05:00:00Z', fetchedAt)).toBeInstanceOf(Date);
  });
});
