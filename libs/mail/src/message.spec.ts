import { simpleParser } from 'mailparser';
import { encodeQuotedPrintable } from './encoded-body';
import { composeMessage } from './message';

describe('composeMessage', () => {
  const content = {
    from: '"Paperboy Digest – Lab" <digest@papers.example.org>',
    to: 'zoë@example.org',
    subject: 'Your papers: Ünïcödé, 日本語 and a subject long enough to be folded over more than one header line',
    text: 'Plain text with = signs, ünïcödé\n.a line starting with a dot\n',
    html: {
      contentType: 'text/html; charset=utf-8',
      quotedPrintable: [encodeQuotedPrintable('<p class="x">HTML — 李雷</p>\n')],
    },
    messageId: '<digest-42@papers.example.org>',
    headers: {
      'List-Unsubscribe': '<https://papers.example.org/unsubscribe?token=a.b>, <mailto:digest@papers.example.org>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };

  it('should make a message a mail client reads back exactly: headers, text and HTML', async () => {
    const message = composeMessage(content);
    const parsed = await simpleParser(message.raw);
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.from?.value).toEqual([{ name: 'Paperboy Digest – Lab', address: 'digest@papers.example.org' }]);
    expect(parsed.messageId).toBe('<digest-42@papers.example.org>');
    const header = (key: string): string | undefined =>
      parsed.headerLines.find((line) => line.key === key)?.line.replace(/\r\n[ \t]+/g, ' ');
    expect(header('list-unsubscribe')).toBe(`List-Unsubscribe: ${content.headers['List-Unsubscribe']}`);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.date).toBeInstanceOf(Date);
    expect(parsed.text).toBe('Plain text with = signs, ünïcödé\n.a line starting with a dot\n');
    expect(parsed.html).toBe('<p class="x">HTML — 李雷</p>\n');
    expect(message.messageId).toBe('<digest-42@papers.example.org>');
    expect(message.envelope).toEqual({ from: 'digest@papers.example.org', to: ['zoë@example.org'] });
  });

  it('should keep the text before the HTML (mail clients show the last alternative they can)', () => {
    const raw = composeMessage(content).raw.toString();
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw.indexOf('Content-Type: text/plain')).toBeLessThan(raw.indexOf('Content-Type: text/html'));
  });

  it('should send only 7-bit lines SMTP accepts, each within 998 characters and ending in CRLF', () => {
    const raw = composeMessage({ ...content, to: 'reader@example.org' }).raw.toString('latin1');
    expect(raw).toMatch(/^[\t -~\r\n]*$/);
    expect(raw.endsWith('--\r\n')).toBe(true);
    for (const line of raw.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(998);
      expect(line).not.toContain('\n');
    }
  });

  it('should refuse a sender without an address', () => {
    expect(() => composeMessage({ ...content, from: 'Paperboy' })).toThrow(/"Paperboy" has no sender address/);
  });
});
