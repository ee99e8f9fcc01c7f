import { DEFAULT_FORM, formToBody, readForm } from './web-forms';
import { esc, layout, longDate, safeUrl } from './web-pages';

describe('web page helpers', () => {
  it('should escape the five HTML-special characters', () => {
    expect(esc(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it('should keep only http(s) URLs as links', () => {
    expect(safeUrl('https://github.com/x/y')).toBe('https://github.com/x/y');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,hi')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl(null)).toBeNull();
  });

  it('should spell a listing day out the same way on every Node build', () => {
    expect(longDate('2026-11-27')).toBe('Friday 27 November 2026');
    expect(longDate('2026-03-01')).toBe('Sunday 1 March 2026');
  });

  it('should put the site base path in front of every layout link', () => {
    const html = layout({ base: '/paperboy' }, { title: 'T', nav: 'subscribe' }, '<p>x</p>');
    expect(html).toContain('href="/paperboy/assets/paperboy.css"');
    expect(html).toContain('<a href="/paperboy/subscribe" aria-current="page">Subscribe</a>');
    expect(html).not.toMatch(/href="\/(?!paperboy)/);
  });

  it('should read checkboxes sent as nothing, one string or many, and numbers as typed', () => {
    expect(readForm({}).topics).toEqual([]);
    expect(readForm({ topics: 'llm' }).topics).toEqual(['llm']);
    expect(readForm({ topics: ['llm', 'rl'], sendHour: '7' })).toMatchObject({ topics: ['llm', 'rl'], sendHour: '7' });
    expect(readForm({ excludeTopics: 'safety' }).excludeTopics).toEqual(['safety']);
  });

  it('should turn a form into the API body: blank fields left out, whole numbers as numbers, one keyword a line', () => {
    const body = formToBody(
      {
        ...DEFAULT_FORM,
        email: '',
        keywords: ' rlhf \r\n\r\n"test-time scaling"',
        sendHour: '07',
        maxPapers: 'x',
        minUpvotes: '',
      },
      true,
    );
    expect(body).toEqual({
      topics: [],
      excludeTopics: [],
      keywords: ['rlhf', '"test-time scaling"'],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 7,
      maxPapers: 'x',
    });
    expect(formToBody({ ...DEFAULT_FORM, email: 'a@b.org' }, false)).not.toHaveProperty('email');
  });
});
