import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArxivFeed } from './arxiv-feed.parser';
import { NotAFeedError } from '../shared/feed-xml';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/arxiv', name), 'utf8');
const RSS = fixture('rss-cs.CL+cs.LG-2024-10-25.xml');
const ATOM = fixture('atom-cs.CL+cs.LG-2024-10-25.xml');
const FETCHED_AT = new Date('2024-10-25T06:00:00Z');
const ANNOUNCED = '2024-10-25T04:00:00.000Z';

/** An arXiv RSS 2.0 feed around the given items, with the namespaces the real one declares. */
const rssFeed = (items: string): string =>
  `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel><title>cs.LG updates on arXiv.org</title>${items}</channel>
</rss>`;

describe('parseArxivFeed', () => {
  it('should read every item of a real RSS announcement with its arXiv fields', async () => {
    const { listings, problems } = await parseArxivFeed(RSS, FETCHED_AT);

    expect(problems).toEqual([]);
    expect(listings.map((listing) => `${listing.externalId} ${listing.announceType}`)).toEqual([
      '2410.18533v1 new',
      '2410.18693v1 new',
      '2410.18745v1 new',
      '2410.18252v1 new',
      '2410.18234v1 new',
      '2410.18572v1 new',
      '2410.18451v1 cross',
      '2410.18647v1 cross',
      '2410.16251v2 replace',
      '2410.17243v2 replace-cross',
    ]);
    const [first] = listings;
    expect(first).toMatchObject({
      arxivId: '2410.18533',
      arxivVersion: 1,
      doi: null,
      title: 'LOGO -- Long cOntext aliGnment via efficient preference Optimization',
      authors: ['Zecheng Tang', 'Zechen Sun', 'Juntao Li', 'Qiaoming Zhu', 'Min Zhang'],
      categories: ['cs.CL'],
      url: 'https://arxiv.org/abs/2410.18533',
      comment: null,
      journalRef: null,
    });
    // The description's "arXiv:… Announce Type: … Abstract:" preamble is not part of the abstract.
    expect(first.abstract).toMatch(/^Long-context models\(LCMs\) have shown great potential/);
    expect(first.abstract).not.toContain('\n');
    expect(first.listedAt.toISOString()).toBe(ANNOUNCED);
    expect(first.publishedAt?.toISOString()).toBe(ANNOUNCED);
    expect(listings[4].categories).toEqual(['cs.LG', 'cs.DS', 'cs.IT', 'math.IT']);
  });

  it('should keep the DOI, journal reference and version of a replacement', async () => {
    const { listings } = await parseArxivFeed(RSS, FETCHED_AT);
    const replaced = listings.find((listing) => listing.arxivId === '2410.17243');

    expect(replaced).toMatchObject({
      externalId: '2410.17243v2',
      arxivVersion: 2,
      announceType: 'replace-cross',
      doi: '10.48550/arxiv.2410.17243',
      journalRef: 'Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR), 2025',
      categories: ['cs.CV', 'cs.LG'],
    });
    // Announced today, first published earlier: the announcement date is not the paper's.
    expect(replaced?.publishedAt).toBeNull();
    expect(replaced?.authors).toHaveLength(9);
  });

  it('should read the Atom variant of the same announcement to the same listings', async () => {
    const atom = await parseArxivFeed(ATOM, FETCHED_AT);
    const rss = await parseArxivFeed(RSS, FETCHED_AT);

    expect(atom.problems).toEqual([]);
    expect(atom.listings).toEqual(rss.listings);
  });

  it('should take the id and announce type from the description when the elements are missing', async () => {
    const { listings, problems } = await parseArxivFeed(
      rssFeed(`<item>
        <title>Tracking at the HL-LHC with $\\mathcal{O}(n)$ graphs</title>
        <link>https://arxiv.org/abs/2609.09159</link>
        <description>arXiv:2609.09159v1 Announce Type: new
Abstract: We show $d &lt; 2$ tracking &amp; more.</description>
        <category>hep-ex</category>
        <pubDate>Thu, 10 Sep 2026 00:00:00 -0400</pubDate>
        <dc:creator>Xiangyang Ju, Daniel Murnane</dc:creator>
      </item>`),
      new Date('2026-09-10T06:00:00Z'),
    );

    expect(problems).toEqual([]);
    expect(listings[0]).toMatchObject({
      externalId: '2609.09159v1',
      announceType: 'new',
      title: 'Tracking at the HL-LHC with $\\mathcal{O}(n)$ graphs',
      abstract: 'We show $d < 2$ tracking & more.',
      authors: ['Xiangyang Ju', 'Daniel Murnane'],
    });
  });

  it('should skip items without an arXiv id or a title, and repeats, naming each', async () => {
    const item = (id: string, title = '<title>A paper</title>', date = '') => `<item>${title}
        <link>https://arxiv.org/abs/${id}</link>
        <description>arXiv:${id}v1 Announce Type: new \nAbstract: Text.</description>
        <guid isPermaLink="false">oai:arXiv.org:${id}v1</guid>${date}
        <arxiv:announce_type>new</arxiv:announce_type>
      </item>`;
    const { listings, problems } = await parseArxivFeed(
      rssFeed(
        [
          item('2501.00001'),
          '<item><title>No id at all</title><description>Announce Type: new</description></item>',
          item('2501.00002', ''),
          item('2501.00003', '<title>Bad date</title>', '<pubDate>Someday</pubDate>'),
          item('2501.00001'),
        ].join(''),
      ),
      FETCHED_AT,
    );

    expect(listings.map((listing) => listing.externalId)).toEqual(['2501.00001v1', '2501.00003v1']);
    expect(problems).toEqual([
      'item 1 (no id): no arXiv id in its guid, description or link',
      'item 2 (oai:arXiv.org:2501.00002v1): no title',
      'item 3 (oai:arXiv.org:2501.00003v1): date "Someday" is not one it could have been listed at; listed at the fetch time',
      'item 4 (oai:arXiv.org:2501.00001v1): 2501.00001v1 listed twice; kept the first',
    ]);
    // No date at all is no problem: the fetch time stands in.
    expect(listings[0].listedAt).toEqual(FETCHED_AT);
    expect(listings[0].publishedAt).toBeNull();
    expect(listings[1].listedAt).toEqual(FETCHED_AT);
  });

  it('should say so when the body is empty', async () => {
    await expect(parseArxivFeed('', FETCHED_AT)).rejects.toThrow('not an RSS or Atom feed: the body is empty');
    await expect(parseArxivFeed(' \n ', FETCHED_AT)).rejects.toThrow('not an RSS or Atom feed: the body is empty');
  });

  it('should read an empty announcement (weekends, holidays) as no listings', async () => {
    expect(await parseArxivFeed(rssFeed(''), FETCHED_AT)).toEqual({ listings: [], problems: [] });
  });

  it.each([
    ['an HTML error page', '<html><head><title>503 Service Unavailable</title></head><body><hr></body></html>'],
    ['a truncated feed', RSS.slice(0, 3000)],
    ['JSON', '{"error":"rate limited"}'],
  ])('should refuse %s, saying what it got', async (_what, body) => {
    const error = await parseArxivFeed(body, FETCHED_AT).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotAFeedError);
    expect((error as Error).message).toMatch(/^not an RSS or Atom feed \(.+\); it starts with ".*"$/);
    expect((error as Error).message).toContain(`starts with "${body.slice(0, 20).replace(/\s+/g, ' ')}`);
  });
});
