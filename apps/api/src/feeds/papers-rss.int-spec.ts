import Parser from 'rss-parser';
import { useApi } from '../../../../test/support/api-context';

/** The public RSS feed of ready papers. */
describe('GET /feeds/papers.rss', () => {
  const ctx = useApi('papers-rss');
  const { http } = ctx;

  it('should list the ready papers newest first with title, link and categories, escaping awkward titles', async () => {
    // Two "]]>" (the feed package's CDATA writer escapes only the first) and a control character XML forbids.
    const tricky = 'Scaling <Transformers> & Friends: when "]]>" ends CDATA, twice ]]>\u000B';
    const trickyAsRead = 'Scaling <Transformers> & Friends: when "]] >" ends CDATA, twice ]] >';
    const insert = async (paper: {
      arxivId: string | null;
      title: string;
      url: string | null;
      listedAt: string;
      ready: boolean;
    }): Promise<string> => {
      const { rows } = await ctx.sql.query<{ id: string }>(
        `INSERT INTO papers ("arxivId", title, abstract, authors, url, "listedAt", "readyAt")
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::boolean THEN now() ELSE NULL END) RETURNING id`,
        [
          paper.arxivId,
          paper.title,
          `Abstract of ${paper.title}`,
          ['Ada Lovelace'],
          paper.url,
          paper.listedAt,
          paper.ready,
        ],
      );
      return rows[0].id;
    };
    const newest = await insert({
      arxivId: '2410.00003',
      title: tricky,
      url: 'https://arxiv.org/abs/2410.00003',
      listedAt: '2024-10-03T08:00:00Z',
      ready: true,
    });
    await insert({
      arxivId: '2410.00002',
      title: 'Middle paper',
      url: null,
      listedAt: '2024-10-02T08:00:00Z',
      ready: true,
    });
    await insert({
      arxivId: null,
      title: 'Oldest paper',
      url: 'https://example.org/papers/oldest',
      listedAt: '2024-10-01T08:00:00Z',
      ready: true,
    });
    await insert({
      arxivId: '2410.00009',
      title: 'Not classified yet',
      url: null,
      listedAt: '2024-10-09T08:00:00Z',
      ready: false,
    });
    await ctx.sql.query(
      `INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'llm', 0.9, '{}'), ($1, 'agents', 0.4, '{}')`,
      [newest],
    );

    const response = await http().get('/feeds/papers.rss');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/rss\+xml/);
    const feed = await new Parser().parseString(response.text);
    expect(response.text).not.toContain('\u000B');
    expect(feed.items.map((item) => item.title)).toEqual([trickyAsRead, 'Middle paper', 'Oldest paper']);
    expect(feed.items.map((item) => item.link)).toEqual([
      'https://arxiv.org/abs/2410.00003',
      'https://arxiv.org/abs/2410.00002',
      'https://example.org/papers/oldest',
    ]);
    expect(feed.items[0].categories).toEqual(['llm', 'agents']);
    expect(feed.items[1].categories ?? []).toEqual([]);
    expect(feed.items[0].guid).toBe('arxiv:2410.00003');
    expect(feed.items.some((item) => item.title === 'Not classified yet')).toBe(false);
  });
});
