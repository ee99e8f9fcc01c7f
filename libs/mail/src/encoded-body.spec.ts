import { decode } from 'libqp';
import { encode, wrap } from 'nodemailer/lib/qp';
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

describe('encodeQuotedPrintable against nodemailer', () => {
  /** What nodemailer sends for the whole text, its line breaks made CRLF as SMTP wants them. */
  const nodemailers = (text: string): string => wrap(encode(text.replace(/\r?\n/g, '\r\n')), 76);
  const ours = (pieces: string[]): string =>
    Buffer.concat(joinQuotedPrintable(pieces.map(encodeQuotedPrintable))).toString('latin1');
  const plain = (encoded: string): string => decode(encoded).toString('utf8');

  const cases: [string, string[]][] = [
    [
      'a kept piece of 75, 76, 77 and 151 characters',
      ['a'.repeat(75), 'b'.repeat(76), 'c'.repeat(77), 'd'.repeat(151)],
    ],
    ['"=" at the end of a line', [`${'x'.repeat(74)}=${'y'.repeat(80)}`, `${'z'.repeat(75)}=`, '=']],
    [
      'spaces and tabs ending a piece, a line and the body',
      ['x ', '\ny\t', '\t\n', ' ', `${'w'.repeat(74)} `, 'end \t'],
    ],
    ['non-ASCII across the line boundary', [`${'a'.repeat(73)}é🎉日本語`, 'Ünïcödé — '.repeat(12), '🎉'.repeat(30)]],
    ['a bare CR and mixed line breaks', ['one\rtwo', 'three\r\nfour\nfive\r', '\r\r\nsix']],
    [
      'a vote link beside markup',
      [`<a href="https://papers.example.org/vote/${'Ab3_-'.repeat(15)}.mf8k2a.${'Z9'.repeat(21)}">`, '👍 Useful</a>'],
    ],
    ['empty pieces', ['', 'a', '', '', 'b', '']],
  ];

  it.each(cases)('should decode to what nodemailer decodes to: %s', (_name, pieces) => {
    expect(plain(ours(pieces))).toBe(plain(nodemailers(pieces.join(''))));
  });

  it.each(cases)('should keep quoted-printable rules: %s', (_name, pieces) => {
    const encoded = ours(pieces);
    const lines = encoded.split('\r\n');
    for (const line of lines) {
      // RFC 2045 §6.7: at most 76 characters; no space or tab ending a line; "=" only as an escape or soft break.
      expect({ line, length: line.length <= 76 }).toEqual({ line, length: true });
      expect(line).not.toMatch(/[ \t]$/);
      expect(line.replace(/=[0-9A-F]{2}/g, '')).toMatch(/^[^=]*=?$/);
      // Printable ASCII and tabs only: CR and LF only as CRLF line breaks.
      expect(line).toMatch(/^[\t -~]*$/);
    }
  });
});
