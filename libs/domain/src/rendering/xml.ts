import { printable } from './printable';

// Lone surrogates: not characters at all, and forbidden in XML like the control characters printable drops.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text for an XML document written by the `feed` package, which escapes markup itself: without the
 * characters XML 1.0 forbids (a reader refuses the whole feed for one), and with "]]>" broken up, because
 * the package's CDATA writer escapes only its first occurrence.
 */
export function xmlText(text: string): string {
  return printable(text).replace(LONE_SURROGATE, '').replace(/]]>/g, ']] >');
}
