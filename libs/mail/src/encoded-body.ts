import { encode, wrap } from 'nodemailer/lib/qp';

/** A body part whose content is already quoted-printable: sent as it is, with its own part headers. */
export interface EncodedBodyPart {
  contentType: string;
  /** 7-bit bytes, lines ending in CRLF. */
  quotedPrintable: Buffer;
}

const SOFT_BREAK = Buffer.from('=\r\n');
const LINE_LENGTH = 76;

/**
 * Quoted-printable encoding (nodemailer's `qp` module) of a piece of a body, lines ending in CRLF as
 * SMTP wants them, as nodemailer normalises a whole body. Bytes rather than a string: a fan-out keeps
 * thousands of encoded pieces and assembles one message after another from them, and a buffer's bytes
 * live outside the JavaScript heap, so neither costs the garbage collector anything.
 */
export function encodeQuotedPrintable(text: string): Buffer {
  return Buffer.from(wrap(encode(text.replace(/\r?\n/g, '\r\n')), LINE_LENGTH), 'latin1');
}

/**
 * Pieces encoded apart, joined into one body. A soft line break ("=" ending a line) is removed by every
 * decoder, so joining with one decodes to the pieces joined: the bytes nodemailer would send had it
 * encoded the whole body, each line still within 76 characters. Encoding is most of what composing a
 * digest costs; this lets a fan-out encode each shared piece once.
 */
export function joinQuotedPrintable(pieces: Buffer[]): Buffer {
  const joined: Buffer[] = [];
  for (const piece of pieces) {
    if (piece.length > 0) {
      if (joined.length > 0) {
        joined.push(SOFT_BREAK);
      }
      joined.push(piece);
    }
  }
  return Buffer.concat(joined);
}
