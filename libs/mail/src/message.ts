import { randomUUID } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import { EncodedBodyPart, encodeQuotedPrintable } from './encoded-body';

/** A message with its text and HTML versions, each as text or already quoted-printable. */
export interface MessageContent {
  from: string;
  to: string;
  subject: string;
  html: string | EncodedBodyPart;
  text: string | EncodedBodyPart;
  /** Deterministic, so a retried send carries the same Message-ID and receivers can fold duplicates. */
  messageId?: string;
  headers?: Record<string, string>;
}

/** A message ready for SMTP: its envelope and its bytes. */
export interface ComposedMessage {
  envelope: { from: string; to: string[] };
  messageId: string;
  raw: Buffer;
}

/**
 * A multipart/alternative message (plain text, then HTML) as one buffer. nodemailer's MIME node builds
 * the headers: address and word encoding, folding, Date, Message-ID, MIME-Version and the boundary. The
 * two parts are quoted-printable, encoded here or by the caller, so the body is their bytes put together.
 *
 * Why not nodemailer's own MIME tree: it streams every header block, boundary and part on its own, a
 * setImmediate apart, and each piece became a socket write of its own. In a fan-out those writes and
 * the stream plumbing cost more CPU than composing the email (bench:notifier); one buffer is one write.
 */
export function composeMessage(content: MessageContent): ComposedMessage {
  // A boundary from the UUID generator's pooled randomness: nodemailer's default reads fresh random bytes.
  const root = new MimeNode('multipart/alternative', { baseBoundary: randomUUID().replace(/-/g, '') });
  root.setHeader({
    From: content.from,
    To: content.to,
    Subject: content.subject,
    ...(content.messageId ? { 'Message-ID': content.messageId } : {}),
    ...content.headers,
  });
  const head = root.buildHeaders();
  const boundary = root.boundary as string;
  const text = encoded(content.text, 'text/plain');
  const html = encoded(content.html, 'text/html');
  const partHead = (part: EncodedBodyPart): string =>
    `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`;
  const { from, to } = root.getEnvelope();
  if (!from) {
    throw new Error(`"${content.from}" has no sender address`);
  }
  return {
    envelope: { from, to },
    messageId: root.messageId(),
    raw: Buffer.concat([
      Buffer.from(`${head}\r\n\r\n${partHead(text)}`),
      ...text.quotedPrintable,
      Buffer.from(`\r\n${partHead(html)}`),
      ...html.quotedPrintable,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
}

function encoded(body: string | EncodedBodyPart, type: 'text/plain' | 'text/html'): EncodedBodyPart {
  return typeof body === 'string'
    ? { contentType: `${type}; charset=utf-8`, quotedPrintable: [encodeQuotedPrintable(body)] }
    : body;
}
