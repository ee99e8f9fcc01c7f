import { decode } from 'libqp';
import { encodeQuotedPrintable, joinQuotedPrintable } from './encoded-body';

const decoded = (quotedPrintable: Buffer): string => decode(quotedPrintable.toString('latin1')).toString('utf8');

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
    const body = joinQuotedPrintable(
      ['é'.repeat(200), 'b'.repeat(150), 'a'.repeat(300)].map(encodeQuotedPrintable),
    ).toString('latin1');
    for (const line of body.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
    }
    expect(body).toMatch(/^[\x20-\x7e\r\n]*$/);
  });
});
