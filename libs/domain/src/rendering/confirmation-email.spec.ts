import { ConfirmationSubscription, deliveryTime, renderConfirmationEmail } from './confirmation-email';
import { renderDigestEmail } from './digest-email';

const subscription = (overrides: Partial<ConfirmationSubscription> = {}): ConfirmationSubscription => ({
  topics: ['llm', 'audio'],
  keywords: [],
  excludeTopics: [],
  minUpvotes: 0,
  frequency: 'daily',
  weekday: 1,
  sendHour: 8,
  timezone: 'Europe/Paris',
  maxPapers: 20,
  ...overrides,
});
const CONFIRM = 'https://p.example/subscriptions/confirm?token=abc.def&x=1';

/** The HTML part as a reader sees it: markup and the hidden preheader gone, entities decoded. */
const visibleText = (html: string): string =>
  html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(style|title)[\s\S]*?<\/\1>/g, '')
    .replace(/<div style="display:none[^"]*">[^<]*<\/div>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
const links = (html: string): { href: string; text: string }[] =>
  [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((match) => ({
    href: match[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'),
    text: visibleText(match[2]).trim(),
  }));

describe('renderConfirmationEmail', () => {
  it('should say in both parts what is coming and when, with topic names rather than slugs', () => {
    const { subject, text, html } = renderConfirmationEmail(CONFIRM, subscription({ keywords: ['diffusion'] }));
    expect(subject).toBe('Paperboy: confirm your subscription');
    for (const part of [text, visibleText(html)]) {
      expect(part).toContain('Papers on Large Language Models and Audio & Speech, or matching “diffusion”');
      expect(part).toContain('Up to 20 papers a digest');
      expect(part).toContain('Every day at 08:00, Europe/Paris time');
      expect(part).toContain('If it was not you, ignore this email: nothing will be sent.');
      expect(part).not.toMatch(/\bllm\b|\baudio\b/);
    }
    expect(text).toContain(`Confirm your subscription: ${CONFIRM}`);
  });

  it('should have one button, to the confirmation link, and the link spelled out for clients without buttons', () => {
    const { html } = renderConfirmationEmail(CONFIRM, subscription());
    const found = links(html);
    expect(found.map((link) => link.href)).toEqual([CONFIRM, CONFIRM]);
    expect(found.map((link) => link.text)).toEqual(['Confirm your subscription', CONFIRM]);
  });

  it("should wear the digest's brand: its page colour, card, width and Paperboy label", () => {
    const { html } = renderConfirmationEmail(CONFIRM, subscription());
    const digest = renderDigestEmail({
      periodKey: '2026-12-08',
      frequency: 'daily',
      papers: [],
      omittedCount: 0,
      leftOut: [],
      unsubscribeUrl: 'https://p.example/u',
      feedUrl: 'https://p.example/f',
      viewUrl: 'https://p.example/v',
    }).html;
    for (const brand of ['background-color:#f3f4f6', 'max-width:640px', 'background-color:#ffffff', '>Paperboy</div>']) {
      expect({ brand, digest: digest.includes(brand), confirmation: html.includes(brand) }).toEqual({
        brand,
        digest: true,
        confirmation: true,
      });
    }
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('should name the weekday of weekly digests, and say so when they are paused', () => {
    expect(deliveryTime(subscription({ frequency: 'weekly', weekday: 5, sendHour: 17, timezone: 'Asia/Tokyo' }))).toBe(
      'Every Friday at 17:00, Asia/Tokyo time',
    );
    expect(deliveryTime(subscription({ frequency: 'paused' }))).toMatch(/^Paused: nothing is sent/);
    expect(deliveryTime(subscription({ sendHour: 0 }))).toBe('Every day at 00:00, Europe/Paris time');
  });

  it('should list what is left out, and every paper when no topic or keyword narrows them', () => {
    const { text } = renderConfirmationEmail(
      CONFIRM,
      subscription({ topics: [], excludeTopics: ['robotics'], minUpvotes: 5, maxPapers: 10 }),
    );
    expect(text).toContain('What: Every new paper\n');
    expect(text).toContain('How many: Up to 10 papers a digest');
    expect(text).toContain('Left out: Robotics');
    expect(text).toContain('Only: Papers with at least 5 upvotes');
  });

  it('should word the confirmation of a new address as such', () => {
    const { subject, text, html } = renderConfirmationEmail(CONFIRM, subscription(), 'address');
    expect(subject).toBe('Paperboy: confirm your new address');
    expect(text).toContain(`Confirm this address: ${CONFIRM}`);
    expect(links(html)[0]).toEqual({ href: CONFIRM, text: 'Confirm this address' });
    expect(visibleText(html)).toContain('nothing changes');
  });

  it('should escape what a subscriber typed: keywords with markup stay text', () => {
    const { html } = renderConfirmationEmail(CONFIRM, subscription({ keywords: ['<img src=x onerror=alert(1)>'] }));
    expect(html).not.toContain('<img');
    expect(visibleText(html)).toContain('“<img src=x onerror=alert(1)>”');
  });
});
