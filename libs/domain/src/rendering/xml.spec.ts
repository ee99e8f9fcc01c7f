import { xmlText } from './xml';

// XML 1.0's Char production: tab, line breaks, and U+0020 up, less surrogates, U+FFFE and U+FFFF.
const XML_CHAR = /^(?:[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

describe('xmlText', () => {
  it.each([
    ['nul\u0000 bell\u0007 escape\u001b', 'nul bell escape'],
    ['lone \uD800 high, lone \uDC00 low', 'lone  high, lone  low'],
    ['non-characters \uFFFE\uFFFF', 'non-characters '],
    ['ends ]]> twice ]]>', 'ends ]] > twice ]] >'],
  ])('should leave only what XML allows of %j', (hostile, expected) => {
    expect(xmlText(hostile)).toBe(expected);
    expect(xmlText(hostile)).toMatch(XML_CHAR);
  });

  it('should keep tabs, line breaks, astral characters and markup (the feed writer escapes it)', () => {
    const text = 'a\tb\nc\r\n😀 <b>&amp;</b> "q"';
    expect(xmlText(text)).toBe(text);
  });
});
