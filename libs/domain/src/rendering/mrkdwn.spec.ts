import { escapeMrkdwn, limitMrkdwn, mrkdwnLink, mrkdwnLinkTarget } from './mrkdwn';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel> <!here> <!everyone>', '&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;'],
    ['<@U123> and <#C456>', '&lt;@U123&gt; and &lt;#C456&gt;'],
    ['<https://evil.example|click me>', '&lt;https://evil.example|click me&gt;'],
    ['a &amp; b', 'a &amp;amp; b'],
  ])('should make %j plain text: no mention, no link', (hostile, escaped) => {
    expect(escapeMrkdwn(hostile)).toBe(escaped);
    expect(escapeMrkdwn(hostile)).not.toMatch(/[<>]/);
  });
});

describe('limitMrkdwn', () => {
  it('should cut escaped text with an ellipsis, never inside an entity', () => {
    for (let max = 2; max < 30; max++) {
      const limited = limitMrkdwn('&<>'.repeat(20), max);
      expect(limited.length).toBeLessThanOrEqual(max);
      expect(limited).toMatch(/^(&amp;|&lt;|&gt;)*…$/);
    }
  });

  it('should keep text within the limit whole', () => {
    expect(limitMrkdwn('a < b', 8)).toBe('a &lt; b');
  });
});

describe('mrkdwnLink', () => {
  it('should percent-encode what would end the link early or start another', () => {
    expect(mrkdwnLinkTarget('https://x.org/a|b>c<d')).toBe('https://x.org/a%7Cb%3Ec%3Cd');
    expect(mrkdwnLink('https://x.org/a|b', 'Title')).toBe('<https://x.org/a%7Cb|Title>');
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', 'https://u:p@x.org/', 'nope', null])(
    'should render only the label for %j',
    (url) => {
      expect(mrkdwnLinkTarget(url)).toBeNull();
      expect(mrkdwnLink(url, 'Title')).toBe('Title');
    },
  );
});
