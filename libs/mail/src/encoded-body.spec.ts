import { decode } from 'libqp';
import { encodeQuotedPrintable, joinQuotedPrintable } from './encoded-body';

const decoded = (chunks: Buffer[]): string => decode(Buffer.concat(chunks).toString('latin1')).toString('utf8');

describe('joinQuotedPrintable', () => {
  it('should decode to the pieces joined, whatever their content', () => {
    const pieces = [
      '<p>Ünïcödé — 日本語 and = signs, a line long enough to need soft breaks '.repeat(3),
      'https://papers.example.org/unsubscribe?token=a=b&c=d',
      '">trailing space \n',
      '',
      '\nend\n',
      'x ',
    ];
    const body = joinQuotedPrintable(pieces.map(encodeQuotedPrintable));
    expect(decoded(body)).toBe(pieces.join('').replace(/\n/g, '\r\n'));
  });

  it('should keep every line within the 76 characters quoted-printable allows, in ASCII only', () => {
    const body = Buffer.concat(
      joinQuotedPrintable(
        ['é'.repeat(200), 'b'.repeat(150), 'a'.repeat(300), 'c'.repeat(76), 'd'.repeat(75), '7', 'e'.repeat(74)].map(
          encodeQuotedPrintable,
        ),
      ),
    ).toString('latin1');
    for (const line of body.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
    }
    expect(body).toMatch(/^[\x20-\x7e\r\n]*$/);
  });
});

describe('encodeQuotedPrintable', () => {
  it('should encode what needs encoding and keep what quoted-printable keeps as it is', () => {
    for (const text of ['42', 'https://a.example/x?y&amp;z', 'a=b', 'trailing ', 'é', 'x'.repeat(77), 'a\nb']) {
      const encoded = encodeQuotedPrintable(text).toString('latin1');
      expect(decoded([Buffer.from(encoded, 'latin1')])).toBe(text.replace(/\n/g, '\r\n'));
      expect(encoded).toMatch(/^[\t -~\r\n]*$/);
    }
    expect(encodeQuotedPrintable('42').toString()).toBe('42');
    expect(encodeQuotedPrintable('a=b').toString()).toBe('a=3Db');
    // A long link that needs no encoding (a vote link) is only cut into lines.
    const link = `https://papers.example.org/vote/${'Ab3_-.'.repeat(30)}`;
    const lines = encodeQuotedPrintable(link).toString('latin1').split('=\r\n');
    expect(lines.join('')).toBe(link);
    expect(lines.slice(0, -1).every((line) => line.length === 75)).toBe(true);
  });
});
