import { encode, wrap } from 'nodemailer/lib/qp';

/** A body part whose content is already quoted-printable: sent as it is, with its own part headers. */
export interface EncodedBodyPart {
  contentType: string;
  /** 7-bit bytes, lines ending in CRLF, in chunks sent one after the other. */
  quotedPrintable: Buffer[];
}

const SOFT_BREAK = Buffer.from('=\r\n');
// Quoted-printable lines hold at most 76 characters. A piece's lines hold one less: its last line may be
// followed by the soft break that joins it to the next piece.
const LINE_LENGTH = 75;
// Printable ASCII but "=", with no space to end a line: what quoted-printable keeps as it is (a digest
// fills in many such short pieces per email, its papers' numbers).
const UNCHANGED_BY_ENCODING = /^[!-<>-~]*$/;

/**
 * Quoted-printable encoding (nodemailer's `qp` module) of a piece of a body, lines ending in CRLF as
 * SMTP wants them, as nodemailer normalises a whole body. Bytes rather than a string: a fan-out keeps
 * thousands of encoded pieces and assembles one message after another from them, and a buffer's bytes
 * live outside the JavaScript heap, so neither costs the garbage collector anything.
 */
export function encodeQuotedPrintable(text: string): Buffer {
  if (UNCHANGED_BY_ENCODING.test(text)) {
    if (text.length <= LINE_LENGTH) {
      return Buffer.from(text, 'latin1');
    }
    // A long piece kept as it is (a subscriber's link in an HTML part, its "=" escaped): only cut into lines,
    // each ended by a soft break, without nodemailer's character-by-character pass. Hand-rolled as the
    // rule is one line of RFC 2045 (§6.7, rule 5).
    const lines: string[] = [];
    for (let at = 0; at < text.length; at += LINE_LENGTH) {
      lines.push(text.slice(at, at + LINE_LENGTH));
    }
    return Buffer.from(lines.join('=\r\n'), 'latin1');
  }
  return Buffer.from(wrap(encode(text.replace(/\r?\n/g, '\r\n')), LINE_LENGTH), 'latin1');
}

/**
 * Pieces encoded apart, joined into one body. A soft line break ("=" ending a line) is removed by every
 * decoder, so joining with one decodes to the pieces joined: the bytes nodemailer would send had it
 * encoded the whole body, each line still within 76 characters. Encoding is most of what composing a
 * digest costs; this lets a fan-out encode each shared piece once. The chunks stay apart until the
 * message is put together, which copies each once.
 */
export function joinQuotedPrintable(pieces: Buffer[]): Buffer[] {
  const joined: Buffer[] = [];
  for (const piece of pieces) {
    if (piece.length > 0) {
      if (joined.length > 0) {
        joined.push(SOFT_BREAK);
      }
      joined.push(piece);
    }
  }
  return joined;
}
