import { encode, wrap } from 'nodemailer/lib/qp';

/** A body part whose content is already quoted-printable: sent as it is, with its own part headers. */
export interface EncodedBodyPart {
  contentType: string;
  quotedPrintable: string;
}

const SOFT_BREAK = '=\r\n';
const LINE_LENGTH = 76;

/**
 * Quoted-printable encoding (nodemailer's `qp` module) of a piece of a body, lines ending in CRLF as
 * SMTP wants them, as nodemailer normalises a whole body.
 */
export function encodeQuotedPrintable(text: string): string {
  return wrap(encode(text.replace(/\r?\n/g, '\r\n')), LINE_LENGTH);
}

/**
 * Pieces encoded apart, joined into one body. A soft line break ("=" ending a line) is removed by every
 * decoder, so joining with one decodes to the pieces joined: the bytes nodemailer would send had it
 * encoded the whole body, each line still within 76 characters. Encoding is most of what composing a
 * digest costs; this lets a fan-out encode each shared piece once.
 */
export function joinQuotedPrintable(pieces: string[]): string {
  return pieces.filter((piece) => piece !== '').join(SOFT_BREAK);
}
