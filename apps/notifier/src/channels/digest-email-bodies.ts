import { DigestView, EmailBodyPieces, renderDigestEmailPieces } from '@libs/domain';
import { EncodedBodyPart, encodeQuotedPrintable, joinQuotedPrintable } from '@libs/mail';

export interface DigestEmailBody {
  subject: string;
  html: EncodedBodyPart;
  text: EncodedBodyPart;
}

/**
 * Digest emails for a fan-out, composed from paper blocks rendered and encoded once. Subscribers differ
 * in which papers they get and in their links, but a paper's block (its title, authors, abstract, why it
 * matched) is the same in every digest that shows it: only the head and tail of each email, and the
 * blocks' numbers, are rendered and encoded per message. Least recently used blocks are dropped beyond
 * `capacity` (a block is about 3 kB in both formats).
 */
export class DigestEmailBodies {
  private readonly blocks = new Map<string, [string, string]>();

  constructor(private readonly capacity = 2_000) {}

  bodyOf(view: DigestView): DigestEmailBody {
    const pieces = renderDigestEmailPieces(view);
    return {
      subject: pieces.subject,
      html: { contentType: 'text/html; charset=utf-8', quotedPrintable: this.encode('html', pieces.html) },
      text: { contentType: 'text/plain; charset=utf-8', quotedPrintable: this.encode('text', pieces.text) },
    };
  }

  private encode(format: 'html' | 'text', body: EmailBodyPieces): string {
    const encoded = [encodeQuotedPrintable(body.head)];
    for (const paper of body.papers) {
      const [beforeNumber, afterNumber] = this.block(`${format}:${paper.key}`, paper.render);
      encoded.push(beforeNumber, encodeQuotedPrintable(String(paper.number)), afterNumber);
    }
    encoded.push(encodeQuotedPrintable(body.tail));
    return joinQuotedPrintable(encoded);
  }

  private block(key: string, render: () => [string, string]): [string, string] {
    const cached = this.blocks.get(key);
    if (cached) {
      // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
      this.blocks.delete(key);
      this.blocks.set(key, cached);
      return cached;
    }
    const [beforeNumber, afterNumber] = render();
    const encoded: [string, string] = [encodeQuotedPrintable(beforeNumber), encodeQuotedPrintable(afterNumber)];
    this.blocks.set(key, encoded);
    if (this.blocks.size > this.capacity) {
      this.blocks.delete(this.blocks.keys().next().value as string);
    }
    return encoded;
  }
}
