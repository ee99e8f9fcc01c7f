import { DigestView, EmailBodyPieces, EmailFrame, renderDigestEmailPieces } from '@libs/domain';
import { EncodedBodyPart, encodeQuotedPrintable, joinQuotedPrintable } from '@libs/mail';

export interface DigestEmailBody {
  subject: string;
  html: EncodedBodyPart;
  text: EncodedBodyPart;
}

/** A frame encoded: its texts, and which fill each hole between them takes. */
interface EncodedFrame {
  texts: Buffer[];
  holes: number[];
}

/**
 * Digest emails for a fan-out, composed from frames rendered and encoded once. Subscribers differ in
 * which papers they get, in their links and (for-you digests) in why each paper is there, but a paper's
 * block (its title, authors, abstract) is the same in every digest that shows it, and the text before and
 * after the papers differs only in the links: only the holes (a block's number and why sentence, a
 * subscriber's links) are encoded per message.
 * Least recently used frames are dropped beyond `capacity` per format (a block is about 3 kB in both
 * formats, the text around the papers about 9 kB).
 */
export class DigestEmailBodies {
  // One map per format, so that a frame's key (long: everything it shows) is hashed once per email.
  private readonly frames = { html: new Map<string, EncodedFrame>(), text: new Map<string, EncodedFrame>() };

  /** `onRender` hears of each frame rendered and encoded (the cache missed): what a test counts. */
  constructor(
    private readonly capacity = 2_000,
    private readonly onRender: (format: 'html' | 'text', key: string) => void = () => undefined,
  ) {}

  bodyOf(view: DigestView): DigestEmailBody {
    const pieces = renderDigestEmailPieces(view);
    return {
      subject: pieces.subject,
      html: { contentType: 'text/html; charset=utf-8', quotedPrintable: this.encode('html', pieces.html) },
      text: { contentType: 'text/plain; charset=utf-8', quotedPrintable: this.encode('text', pieces.text) },
    };
  }

  private encode(format: 'html' | 'text', body: EmailBodyPieces): Buffer[] {
    const encoded: Buffer[] = [];
    for (const frame of [body.head, ...body.papers, body.tail]) {
      const { texts, holes } = this.frame(format, frame);
      encoded.push(texts[0]);
      holes.forEach((hole, index) => encoded.push(encodeQuotedPrintable(frame.fills[hole]), texts[index + 1]));
    }
    return joinQuotedPrintable(encoded);
  }

  private frame(format: 'html' | 'text', frame: EmailFrame): EncodedFrame {
    const frames = this.frames[format];
    const cached = frames.get(frame.key);
    if (cached) {
      // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
      frames.delete(frame.key);
      frames.set(frame.key, cached);
      return cached;
    }
    this.onRender(format, frame.key);
    const { texts, holes } = frame.render();
    const encoded: EncodedFrame = { texts: texts.map(encodeQuotedPrintable), holes };
    frames.set(frame.key, encoded);
    if (frames.size > this.capacity) {
      frames.delete(frames.keys().next().value as string);
    }
    return encoded;
  }
}
