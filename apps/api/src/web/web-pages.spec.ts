import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '@libs/domain';
import { safeUrl, sitePath } from './links';
import { messagePage, longDate, paperPage, topicPage, WebPaper } from './web-pages';
import { DEFAULT_FORM, formToBody, readForm, readQuery, readSeeds } from './web-forms';
import { profilePage } from './web-profile-pages';
import { managePage, subscribePage } from './web-subscription-pages';

const HOSTILE = `<script>alert("x")</script> & 'Friends' \`=`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Friends&#x27; &#x60;&#x3D;';

const paper = (overrides: Partial<WebPaper> = {}): WebPaper => ({
  id: '00000000-0000-4000-8000-000000000001',
  arxivId: '2411.00001',
  version: 2,
  doi: null,
  title: HOSTILE,
  authors: [HOSTILE],
  abstract: HOSTILE,
  summary: HOSTILE,
  upvotes: 5,
  keywords: [HOSTILE],
  categories: [HOSTILE],
  url: null,
  codeUrl: 'javascript:alert(1)',
  projectUrl: 'https://example.org/?a=1&b="2"',
  listedAt: new Date('2026-11-27T08:00:00Z'),
  publishedAt: null,
  topics: [{ topic: 'llm', score: 3, evidence: [HOSTILE] }],
  ...overrides,
});

describe('web page templates', () => {
  it('should use no triple-stash in any template', () => {
    const dir = join(__dirname, 'templates');
    const files = ['pages', 'partials'].flatMap((folder) =>
      readdirSync(join(dir, folder)).map((file) => join(dir, folder, file)),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      expect({ file, raw: /\{\{\{|\{\{&/.test(readFileSync(file, 'utf8')) }).toEqual({ file, raw: false });
    }
  });

  it('should escape hostile text in every field of the paper page, and drop a javascript: link', () => {
    const html = paperPage({ base: '' }, paper());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain(`<title>${ESCAPED} · Paperboy</title>`);
    expect(html).toContain(`<h1>${ESCAPED}</h1>`);
    // Title, authors, summary, abstract, evidence, keywords and categories: each escaped.
    expect(html.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(7);
    // The link check (safeUrl) percent-encodes the quotes; the template escapes the rest.
    expect(html).toContain('href="https://example.org/?a&#x3D;1&amp;b&#x3D;%222%22"');
    expect(html).toContain('href="https://arxiv.org/pdf/2411.00001"');
  });

  it('should escape what a person typed into the forms, and their error messages', () => {
    const values = {
      ...DEFAULT_FORM,
      email: HOSTILE,
      keywords: HOSTILE,
      timezone: HOSTILE,
      maxPapers: HOSTILE,
      followedAuthors: HOSTILE,
      seedPapers: HOSTILE,
    };
    const errors = { email: [HOSTILE], timezone: [HOSTILE], seedPapers: [HOSTILE] };
    for (const html of [
      subscribePage({ base: '' }, { values, errors }),
      managePage(
        { base: '' },
        {
          status: 'active',
          email: HOSTILE,
          pendingEmail: HOSTILE,
          emailSuppressed: false,
          slack: { host: HOSTILE, disabledReason: HOSTILE },
          feeds: { rss: 'https://x/rss', atom: 'https://x/atom', json: 'https://x/json' },
          action: '/manage?id=1&token=2',
          unsubscribeUrl: 'https://x/unsubscribe',
          profileUrl: '/profile?id=1&token=2',
          saved: false,
          seeds: { added: 0, lookingUp: [], notFound: [{ where: HOSTILE, id: HOSTILE }], withoutIdentifier: [HOSTILE] },
        },
        values,
        errors,
      ),
    ]) {
      expect(html).not.toContain('<script>');
      expect(html).toContain(`value="${ESCAPED}"`);
      expect(html).toContain(
        `<textarea id="keywords" name="keywords" rows="3" aria-describedby="keywords-hint">${ESCAPED}</textarea>`,
      );
      expect(html).toContain(`<p class="error" id="email-error">${ESCAPED}</p>`);
      expect(html).toContain(`<li><a href="#timezone">Time zone: ${ESCAPED}</a></li>`);
    }
  });

  it('should escape what a profile page shows: titles, terms and authors', () => {
    const vote = {
      paper: { id: '0b0e4c1e-0000-4000-8000-000000000001', arxivId: null, doi: null, title: HOSTILE },
      vote: 'up' as const,
      source: 'seed' as const,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    };
    const html = profilePage(
      { base: '' },
      {
        profile: {
          liked: [vote],
          disliked: [{ ...vote, vote: 'down' }],
          pendingSeeds: [{ arxivId: HOSTILE, requestedAt: new Date(0) }],
          followedAuthors: [HOSTILE],
          terms: {
            liked: [{ term: HOSTILE, label: HOSTILE, weight: 1, paperIds: [vote.paper.id] }],
            disliked: [],
            trainedAt: null,
          },
        },
        action: '/profile?id=1&token=2',
        manageUrl: '/manage?id=1&token=2',
        notice: HOSTILE,
        confirmReset: true,
      },
    );
    expect(html).not.toContain('<script>');
    expect(html.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(8);
    expect(html).toContain('Yes, reset my profile');
  });

  it('should put the site base path in front of every layout link', () => {
    const html = messagePage({ base: '/paperboy' }, 'T', ['x'], { nav: 'subscribe' });
    expect(html).toContain('href="/paperboy/assets/paperboy.css"');
    expect(html).toContain('<link rel="icon" href="/paperboy/assets/favicon.svg" type="image/svg+xml">');
    expect(html).toContain('<a href="/paperboy/subscribe" aria-current="page">Subscribe</a>');
    expect(html).not.toMatch(/href="\/(?!paperboy)/);
  });

  it('should group a topic page by listing day, under a heading per day', () => {
    const topic = TOPICS[0];
    const html = topicPage(
      { base: '' },
      {
        topic,
        papers: [
          paper({ title: 'A', listedAt: new Date('2026-11-27T08:00:00Z') }),
          paper({ title: 'B', listedAt: new Date('2026-11-27T01:00:00Z') }),
          paper({ title: 'C', listedAt: new Date('2026-11-25T23:00:00Z') }),
        ],
        page: 1,
        limit: 20,
        total: 3,
      },
    );
    const headings = [...html.matchAll(/<h2 class="day-heading"[^>]*><time datetime="([\d-]+)">([^<]+)<\/time>/g)];
    expect(headings.map((m) => [m[1], m[2]])).toEqual([
      ['2026-11-27', 'Friday 27 November 2026'],
      ['2026-11-25', 'Wednesday 25 November 2026'],
    ]);
    const order = [...html.matchAll(/<h2><a href="[^"]+">([ABC])<\/a><\/h2>|day-heading/g)].map((m) => m[1] ?? '|');
    expect(order).toEqual(['|', 'A', 'B', '|', 'C']);
  });
});

describe('web page helpers', () => {
  it('should keep only http(s) URLs as links', () => {
    expect(safeUrl('https://github.com/x/y')).toBe('https://github.com/x/y');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,hi')).toBeNull();
    expect(safeUrl('vbscript:msgbox(1)')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl(null)).toBeNull();
  });

  it('should build site links with the base path and only the parameters that have a value', () => {
    expect(sitePath('/pb', '/', { date: '2026-11-27', topic: undefined, q: '' })).toBe('/pb/?date=2026-11-27');
    expect(sitePath('', '/subscribe', { topic: 'a&b' })).toBe('/subscribe?topic=a%26b');
  });

  it('should spell a listing day out the same way on every Node build', () => {
    expect(longDate('2026-11-27')).toBe('Friday 27 November 2026');
    expect(longDate('2026-03-01')).toBe('Sunday 1 March 2026');
  });

  it('should name a query field given twice, and drop blank and unread fields', () => {
    expect(readQuery({ page: ['1', '2'], q: '', utm_source: 'x', topic: 'llm' }, ['q', 'topic', 'page'])).toEqual({
      fields: { topic: 'llm' },
      problems: ['page must be given once'],
    });
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
        followedAuthors: 'Jane Doe\r\n\r\n  J. Smith ',
      },
      true,
    );
    expect(body).toEqual({
      topics: [],
      excludeTopics: [],
      keywords: ['rlhf', '"test-time scaling"'],
      followedAuthors: ['Jane Doe', 'J. Smith'],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 7,
      maxPapers: 'x',
    });
    expect(formToBody({ ...DEFAULT_FORM, email: 'a@b.org' }, false)).not.toHaveProperty('email');
  });

  it("should read a form's seed papers: pasted lines then the file, naming the first that cannot be read", () => {
    const file = (name: string, text: string) => ({
      originalname: name,
      buffer: Buffer.from(text),
      size: Buffer.byteLength(text),
    });
    expect(readSeeds('2410.20001\n', file('refs.ris', 'TY  - JOUR\nDO  - 10.1000/x\nER  - \n'))).toEqual({
      entries: [
        { where: 'pasted line 1', identifier: { arxivId: '2410.20001' } },
        { where: 'refs.ris: record of line 1', identifier: { doi: '10.1000/x' } },
      ],
      error: null,
    });
    expect(readSeeds('2410.20001\nnot a paper', undefined).error).toBe(
      'Pasted papers, line 2: "not a paper" is not an arXiv id, DOI, or arXiv, Hugging Face or DOI URL; no seed was stored',
    );
    expect(readSeeds('', file('notes.pdf', '%PDF-1.7')).error).toMatch(/^notes\.pdf: not a BibTeX \(\.bib\)/);
    expect(readSeeds('', file('refs.json', '{"id": 1}')).error).toBe(
      'refs.json: CSL JSON must be an array of items; no seed was stored',
    );
    const many = Array.from({ length: 300 }, (_, i) => `2410.${String(10000 + i)}`).join('\n');
    expect(readSeeds(many, file('more.txt', many)).error).toBe(
      '600 seed papers: at most 500 at a time; no seed was stored',
    );
    // An empty file input sends no file, or one of no bytes: nothing to read.
    expect(readSeeds('', file('', ''))).toEqual({ entries: [], error: null });
  });
});
