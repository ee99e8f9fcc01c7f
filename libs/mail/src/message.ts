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
 * two parts are quoted-printable, encoded here or by the caller, so the body is a join of strings.
 *
 * Why not nodemailer's own MIME tree: it streams every header block, boundary and part on its own, a
 * setImmediate apart, and each piece became a socket write of its own. In a fan-out those writes and
 * the stream plumbing cost more CPU than composing the email (bench:notifier); one buffer is one write.
 */
export function composeMessage(content: MessageContent): ComposedMessage {
  const root = new MimeNode('multipart/alternative');
  root.setHeader({
    From: content.from,
    To: content.to,
    Subject: content.subject,
    ...(content.messageId ? { 'Message-ID': content.messageId } : {}),
    ...content.headers,
  });
  const head = root.buildHeaders();
  const boundary = root.boundary as string;
  const parts = [encoded(content.text, 'text/plain'), encoded(content.html, 'text/html')].map(
    (part) =>
      `--${boundary}\r\nContent-Type: ${part.contentType}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${part.quotedPrintable}\r\n`,
  );
  const { from, to } = root.getEnvelope();
  if (!from) {
    throw new Error(`"${content.from}" has no sender address`);
  }
  return {
    envelope: { from, to },
    messageId: root.messageId(),
    raw: Buffer.from(`${head}\r\n\r\n${parts.join('')}--${boundary}--\r\n`),
  };
}

function encoded(body: string | EncodedBodyPart, type: 'text/plain' | 'text/html'): EncodedBodyPart {
  return typeof body === 'string'
    ? { contentType: `${type}; charset=utf-8`, quotedPrintable: encodeQuotedPrintable(body) }
    : body;
}
