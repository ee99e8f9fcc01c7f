import Parser from 'rss-parser';
import {
  asCarried,
  ATOM_NS,
  BASE,
  CONTENT_TYPES,
  decodeHtml,
  FORMATS,
  isRfc3339,
  JsonFeedDocument,
  JsonFeedItem,
  useFeedsApi,
  XML_FORBIDDEN,
} from '../../../../test/support/feeds-context';
import { childNamed, childrenNamed, parseStrictXml, XmlElement } from '../../../../test/support/strict-xml';

/** The public feeds: every format well-formed, awkward text carried, newest first. */
describe('public feeds /feeds/papers.{rss,atom,json}', () => {
  const ctx = useFeedsApi('feeds-public');
  const { get, itemIdsOf, readFeed, fetchFeed } = ctx;

  const TRICKY_TITLE = 'Scaling <Transformers> & Friends: when "]]>" ends CDATA, twice ]]>\u0001 and done';
  const TRICKY_ABSTRACT =
    'We prove x < y && y > z for all n and predict the <mask> token; the string ]]> appears here and ]]> there, with \u0001 too.';
  const papers: Record<'newest' | 'noArxiv' | 'tricky' | 'oldest' | 'unready', string> = {
    newest: '',
    noArxiv: '',
    tricky: '',
    oldest: '',
    unready: '',
  };

  beforeAll(async () => {
    // Inserted out of date order, so the feeds' order comes from listedAt rather than insertion.
    papers.tricky = await ctx.newPaper({
      arxivId: '2410.10002',
      title: TRICKY_TITLE,
      abstract: TRICKY_ABSTRACT,
      authors: ['Ada & <Bob>', 'Grace\u0001 Hopper'],
      url: 'https://arxiv.org/abs/2410.10002',
      listedAt: '2024-10-02T08:00:00Z',
    });
    await ctx.sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'llm', 0.9, '{}'), ($1, 'agents', 0.4, '{}')`,
      [papers.tricky],
    );
    papers.oldest = await ctx.newPaper({
      arxivId: '2410.10001',
      title: 'Oldest public paper',
      listedAt: '2024-10-01T08:00:00Z',
    });
    papers.newest = await ctx.newPaper({
      arxivId: '2410.10004',
      title: 'Newest public paper',
      listedAt: '2024-10-04T08:00:00Z',
    });
    papers.noArxiv = await ctx.newPaper({
      arxivId: null,
      title: 'A paper without an arXiv id',
      url: 'https://example.org/papers/no-arxiv',
      listedAt: '2024-10-03T08:00:00Z',
    });
    // LaTeX as arXiv metadata carries it (see readableLatex).
    await ctx.newPaper({
      arxivId: '2409.10007',
      title: 'Sorting in $\\mathcal{O}(n \\log n)$ with \\model, fast',
      abstract: 'We show $\\alpha \\leq 1$ for \\textbf{every} $x_i^2$.',
      authors: ['Kurt G\\"odel', 'Ada Lovelace'],
      listedAt: '2024-09-15T08:00:00Z',
    });
    papers.unready = await ctx.newPaper({
      arxivId: '2410.10009',
      title: 'Not classified yet',
      listedAt: '2024-10-09T08:00:00Z',
      ready: false,
    });
  });

  /** Every ready paper's item id, newest listing first: what each public feed must list. */
  const expectedPublicIds = async (): Promise<string[]> => {
    const { rows } = await ctx.sql.query<{ id: string }>(
      `SELECT id FROM papers WHERE "readyAt" IS NOT NULL ORDER BY "listedAt" DESC, id ASC`,
    );
    return itemIdsOf(rows.map((row) => row.id));
  };

  it('should serve each format with its own content type (rss+xml, atom+xml, feed+json) and public caching', async () => {
    for (const format of FORMATS) {
      const response = await get(`/feeds/papers.${format}`);

      expect({ format, status: response.status }).toEqual({ format, status: 200 });
      const type = String(response.headers['content-type']);
      expect({ format, type, matches: CONTENT_TYPES[format].test(type) }).toEqual({ format, type, matches: true });
      expect(response.headers['cache-control']).toMatch(/\bpublic\b/);
    }
  });

  it('should produce RSS 2.0 and Atom that both rss-parser and a strict XML parser accept', async () => {
    for (const format of ['rss', 'atom'] as const) {
      const response = await get(`/feeds/papers.${format}`);

      expect(response.status).toBe(200);
      expect(() => parseStrictXml(response.text)).not.toThrow();
      expect(response.text.startsWith('<?xml')).toBe(true);
      const parsed = await new Parser().parseString(response.text);
      expect(parsed.title).toBe('Paperboy: latest papers');
      expect(parsed.items.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('should produce a JSON Feed 1.1 document: version, title, items with id, url, title and date_published', async () => {
    const response = await get('/feeds/papers.json');

    expect(response.status).toBe(200);
    const document = JSON.parse(response.text) as JsonFeedDocument;
    expect(document.title).toBe('Paperboy: latest papers');
    expect(Array.isArray(document.items)).toBe(true);
    const items = document.items as JsonFeedItem[];
    expect(items.length).toBeGreaterThanOrEqual(4);
    // Every departure from the spec at once, so one failure tells the whole story.
    const problems: string[] = [];
    if (document.version !== 'https://jsonfeed.org/version/1.1') {
      problems.push(`version is ${JSON.stringify(document.version)}`);
    }
    for (const item of items) {
      const label = `item ${String(item.id)}`;
      if (typeof item.id !== 'string' || item.id === '') {
        problems.push(`${label}: id is not a non-empty string`);
      }
      if (typeof item.url !== 'string' || !URL.canParse(item.url)) {
        problems.push(`${label}: url ${JSON.stringify(item.url)} is not a URL`);
      }
      if (typeof item.title !== 'string') {
        problems.push(`${label}: no title`);
      }
      if (!isRfc3339(item.date_published)) {
        problems.push(`${label}: date_published is ${JSON.stringify(item.date_published)}`);
      }
      if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') {
        problems.push(`${label}: neither content_html nor content_text`);
      }
    }
    const newest = items.find((item) => item.id === 'arxiv:2410.10004');
    if (newest?.date_published !== '2024-10-04T08:00:00.000Z') {
      problems.push(`the newest paper's date_published is not its listing date 2024-10-04T08:00:00.000Z`);
    }
    expect(problems.slice(0, 8)).toEqual([]);
  });

  it('should produce Atom entries RFC 4287 accepts: id, title, updated, link, author, categories with a term', async () => {
    const atom = parseStrictXml((await get('/feeds/papers.atom')).text);
    const problems: string[] = [];
    for (const local of ['id', 'title', 'updated']) {
      if (childrenNamed(atom, local, ATOM_NS).length !== 1) {
        problems.push(`feed: not exactly one <${local}>`);
      }
    }
    const entries = childrenNamed(atom, 'entry', ATOM_NS);
    expect(entries.length).toBeGreaterThanOrEqual(4);
    for (const entry of entries) {
      const id = childrenNamed(entry, 'id', ATOM_NS)[0]?.text ?? '(no id)';
      for (const local of ['id', 'title', 'updated']) {
        if (childrenNamed(entry, local, ATOM_NS).length !== 1) {
          problems.push(`${id}: not exactly one <${local}>`);
        }
      }
      if (!URL.canParse(id)) {
        problems.push(`${id}: the id is not an IRI`);
      }
      if (!childrenNamed(entry, 'link', ATOM_NS).some((link) => URL.canParse(link.attributes.href ?? ''))) {
        problems.push(`${id}: no <link href>`);
      }
      if (
        childrenNamed(entry, 'author', ATOM_NS).length === 0 &&
        childrenNamed(atom, 'author', ATOM_NS).length === 0
      ) {
        problems.push(`${id}: no <author> in the entry or the feed`);
      }
      for (const category of childrenNamed(entry, 'category', ATOM_NS)) {
        if (!category.attributes.term) {
          problems.push(
            `${id}: <category> without the required term (attributes: ${JSON.stringify(category.attributes)})`,
          );
        }
      }
    }
    // The tricky paper carries two topics: their terms are the topic slugs.
    const tricky = entries.find((entry) => childNamed(entry, 'id', ATOM_NS).text === 'arxiv:2410.10002');
    const terms = childrenNamed(tricky as XmlElement, 'category', ATOM_NS).map(
      (category) => category.attributes.term,
    );
    if (JSON.stringify(terms) !== JSON.stringify(['llm', 'agents'])) {
      problems.push(`arxiv:2410.10002: category terms are ${JSON.stringify(terms)}, not ["llm","agents"]`);
    }
    expect(problems.slice(0, 8)).toEqual([]);
  });

  it('should list the same ready papers in all three formats, newest listing first, leaving out unready papers', async () => {
    const expected = await expectedPublicIds();
    expect(expected.slice(0, 4)).toEqual([
      'arxiv:2410.10004',
      `paperboy:${papers.noArxiv}`,
      'arxiv:2410.10002',
      'arxiv:2410.10001',
    ]);

    for (const format of FORMATS) {
      const feed = await fetchFeed(format, `/feeds/papers.${format}`);

      expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({ format, ids: expected });
      expect(feed.items.some((item) => item.title === 'Not classified yet')).toBe(false);
      const byId = new Map(feed.items.map((item) => [item.id, item]));
      expect(byId.get('arxiv:2410.10004')).toEqual({
        id: 'arxiv:2410.10004',
        title: 'Newest public paper',
        link: 'https://arxiv.org/abs/2410.10004',
        date: '2024-10-04T08:00:00.000Z',
        content: expect.stringContaining('Abstract of Newest public paper.') as string,
      });
      expect(byId.get(`paperboy:${papers.noArxiv}`)?.link).toBe('https://example.org/papers/no-arxiv');
    }
  });

  it('should keep a title and abstract with &, <, two "]]>" and a U+0001 well-formed in every format', async () => {
    for (const format of FORMATS) {
      const response = await get(`/feeds/papers.${format}`);
      const feed = await readFeed(format, response);

      expect(response.text).not.toMatch(XML_FORBIDDEN);
      const tricky = feed.items.find((item) => item.id === 'arxiv:2410.10002');
      // Atom declares its title type="html": a reader decodes it, rss-parser hands it over as is.
      const title = format === 'atom' ? decodeHtml(tricky?.title ?? '') : (tricky?.title ?? '');
      expect({ format, title: asCarried(title) }).toEqual({ format, title: asCarried(TRICKY_TITLE) });
    }

    // The abstract too, read by the strict parser from the raw XML.
    const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
    const rssItem = childrenNamed(childNamed(rss, 'channel'), 'item').find(
      (item) => childNamed(item, 'guid').text === 'arxiv:2410.10002',
    );
    // An RSS description is HTML: the plain-text abstract arrives escaped and decodes back to itself.
    expect(asCarried(decodeHtml(rssItem ? childNamed(rssItem, 'description').text : ''))).toBe(
      asCarried(TRICKY_ABSTRACT),
    );
    const atom = parseStrictXml((await get('/feeds/papers.atom')).text);
    const atomEntry = childrenNamed(atom, 'entry', ATOM_NS).find(
      (entry) => childNamed(entry, 'id', ATOM_NS).text === 'arxiv:2410.10002',
    );
    expect(atomEntry).toBeDefined();
    const json = JSON.parse((await get('/feeds/papers.json')).text) as { items: JsonFeedItem[] };
    const jsonItem = json.items.find((item) => item.id === 'arxiv:2410.10002');
    const jsonBody = jsonItem?.content_text ?? jsonItem?.content_html;
    expect(typeof jsonBody).toBe('string');
  });

  it('should show LaTeX in titles, abstracts and authors as readable text in every format', async () => {
    const title = 'Sorting in 𝒪(n log n) with, fast';
    const abstract = 'We show α ≤ 1 for every xᵢ².';
    for (const format of FORMATS) {
      const feed = await fetchFeed(format, `/feeds/papers.${format}`);
      const item = feed.items.find((entry) => entry.id === 'arxiv:2409.10007');
      const shown = format === 'atom' ? decodeHtml(item?.title ?? '') : item?.title;
      expect({ format, title: shown }).toEqual({ format, title });
    }
    const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
    const rssItem = childrenNamed(childNamed(rss, 'channel'), 'item').find(
      (entry) => childNamed(entry, 'guid').text === 'arxiv:2409.10007',
    );
    expect(decodeHtml(rssItem ? childNamed(rssItem, 'description').text : '')).toBe(abstract);
    const json = JSON.parse((await get('/feeds/papers.json')).text) as { items: JsonFeedItem[] };
    const jsonItem = json.items.find((entry) => entry.id === 'arxiv:2409.10007');
    expect(jsonItem?.content_text).toBe(abstract);
    expect(jsonItem?.authors).toEqual([{ name: 'Kurt Gödel' }, { name: 'Ada Lovelace' }]);
  });

  it('should write JSON Feed 1.1 authors (every author of a paper), never the deprecated author', async () => {
    const document = JSON.parse((await get('/feeds/papers.json')).text) as JsonFeedDocument & {
      author?: unknown;
      authors?: unknown;
      language?: unknown;
      items: JsonFeedItem[];
    };
    expect(document.version).toBe('https://jsonfeed.org/version/1.1');
    expect(document.authors).toEqual([{ name: 'Paperboy' }]);
    expect(document.language).toBe('en');
    expect('author' in document).toBe(false);
    expect(document.items.filter((item) => 'author' in item)).toEqual([]);
    const tricky = document.items.find((item) => item.id === 'arxiv:2410.10002');
    expect(tricky?.authors).toEqual([{ name: 'Ada & <Bob>' }, { name: 'Grace Hopper' }]);
  });

  it('should present titles and abstracts as text: a field declared HTML carries them HTML-escaped', async () => {
    // Atom's type="html" (and RSS descriptions, and JSON Feed's content_html) are read as HTML by feed
    // readers: a raw "<Transformers>" there is an unknown tag that vanishes, "x < y" breaks the markup.
    const problems: string[] = [];
    const checkHtml = (label: string, html: string, expected: string): void => {
      if (/<[A-Za-z/!?]/.test(html)) {
        problems.push(`${label} is declared HTML but carries raw markup: ${JSON.stringify(html.slice(0, 60))}`);
      } else if (asCarried(decodeHtml(html)) !== asCarried(expected)) {
        problems.push(`${label} reads as ${JSON.stringify(decodeHtml(html))}`);
      }
    };
    const atom = parseStrictXml((await get('/feeds/papers.atom')).text);
    const entry = childrenNamed(atom, 'entry', ATOM_NS).find(
      (e) => childNamed(e, 'id', ATOM_NS).text === 'arxiv:2410.10002',
    );
    expect(entry).toBeDefined();
    for (const [local, expected] of [
      ['title', TRICKY_TITLE],
      ['summary', TRICKY_ABSTRACT],
    ] as const) {
      const element = childNamed(entry as XmlElement, local, ATOM_NS);
      const type = element.attributes.type ?? 'text';
      if (type === 'html') {
        checkHtml(`atom <${local} type="html">`, element.text, expected);
      } else if (type !== 'text' || asCarried(element.text) !== asCarried(expected)) {
        problems.push(`atom <${local} type="${type}"> reads as ${JSON.stringify(element.text)}`);
      }
    }

    const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
    const item = childrenNamed(childNamed(rss, 'channel'), 'item').find(
      (i) => childNamed(i, 'guid').text === 'arxiv:2410.10002',
    );
    checkHtml('rss <description>', item ? childNamed(item, 'description').text : '', TRICKY_ABSTRACT);

    const json = JSON.parse((await get('/feeds/papers.json')).text) as { items: JsonFeedItem[] };
    const jsonItem = json.items.find((i) => i.id === 'arxiv:2410.10002');
    if (typeof jsonItem?.content_html === 'string') {
      checkHtml('json content_html', jsonItem.content_html, TRICKY_ABSTRACT);
    } else if (asCarried(String(jsonItem?.content_text)) !== asCarried(TRICKY_ABSTRACT)) {
      problems.push(`json content_text reads as ${JSON.stringify(jsonItem?.content_text)}`);
    }
    expect(problems).toEqual([]);
  });

  it('should give every item the same id on every request: arxiv:<id>, else paperboy:<uuid>', async () => {
    for (const format of FORMATS) {
      const first = await fetchFeed(format, `/feeds/papers.${format}`);
      const second = await fetchFeed(format, `/feeds/papers.${format}`);

      const ids = first.items.map((item) => item.id);
      expect(second.items.map((item) => item.id)).toEqual(ids);
      expect(ids).toContain('arxiv:2410.10001');
      expect(ids).toContain(`paperboy:${papers.noArxiv}`);
      for (const id of ids) {
        expect(id).toMatch(/^(arxiv:\d{4}\.\d{4,5}|paperboy:[0-9a-f-]{36})$/);
      }
    }
  });

  it('should link each feed to itself under PUBLIC_URL (RSS atom:link, Atom link rel=self, JSON feed_url)', async () => {
    for (const format of FORMATS) {
      const feed = await fetchFeed(format, `/feeds/papers.${format}`);

      expect({ format, self: feed.self }).toEqual({ format, self: `${BASE}/feeds/papers.${format}` });
    }
    const rss = parseStrictXml((await get('/feeds/papers.rss')).text);
    expect(childNamed(childNamed(rss, 'channel'), 'link', '').text).toBe(`${BASE}/`);
    const json = JSON.parse((await get('/feeds/papers.json')).text) as JsonFeedDocument;
    expect(String(json.home_page_url).replace(/\/$/, '')).toBe(BASE);
  });

  it('should answer 400 or 404, not 500, for a format it does not serve (papers.xml, subscription.xml)', async () => {
    for (const path of [
      '/feeds/papers.xml',
      '/feeds/papers.',
      '/feeds/subscription.xml?token=x',
      '/feeds/papers.RSS',
    ]) {
      const response = await get(path);

      expect({ path, status: [400, 404].includes(response.status) }).toEqual({ path, status: true });
    }
  });
});

