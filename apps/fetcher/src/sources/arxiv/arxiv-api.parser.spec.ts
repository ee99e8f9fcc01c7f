import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArxivApiQueryError, parseArxivApi } from './arxiv-api.parser';
import { NotAFeedError } from '../shared/feed-xml';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../../../test/fixtures/arxiv', name), 'utf8');
const PAGE = fixture('api-cs.CL-2024-10-24.xml');
const FETCHED_AT = new Date('2024-10-26T07:00:00Z');

/** An API answer with the given entries, as export.arxiv.org lays it out. */
const apiFeed = (entries: string, total = 1): string => `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=cat:cs.CL&amp;id_list=&amp;start=0&amp;max_results=200</title>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  ${entries}
</feed>`;

describe('parseArxivApi', () => {
  it('should read every entry of a real answer with all authors, categories and arXiv fields', async () => {
    const page = await parseArxivApi(PAGE, FETCHED_AT);

    expect(page.problems).toEqual([]);
    expect(page.totalResults).toBe(11);
    expect(page.entries).toBe(11);
    expect(page.listings.map((listing) => listing.externalId)).toEqual([
      '2410.18362',
      '2410.18451',
      '2410.18505',
      '2410.18533',
      '2410.18572',
      '2410.18693',
      '2410.18745',
      '2410.18785',
      '2410.18798',
      '2410.18860',
      '2410.18976',
    ]);
    const [waffle] = page.listings;
    expect(waffle).toMatchObject({
      arxivId: '2410.18362',
      arxivVersion: 1,
      announceType: null,
      title: 'WAFFLE: Multi-Modal Model for Automated Front-End Development',
      authors: ['Shanchao Liang', 'Nan Jiang', 'Shangshu Qian', 'Lin Tan'],
      categories: ['cs.CL', 'cs.SE'],
      comment: '9 pages, 5 figures',
      url: 'https://arxiv.org/abs/2410.18362',
    });
    expect(waffle.abstract).toMatch(
      /^Web development involves turning UI designs into functional webpages, which can be/,
    );
    expect(waffle.abstract).not.toContain('\n');
    // Listed when first submitted: the API says nothing of the announcement.
    expect(waffle.listedAt.toISOString()).toBe('2024-10-24T01:49:49.000Z');
    expect(waffle.publishedAt?.toISOString()).toBe('2024-10-24T01:49:49.000Z');
  });

  it('should put the primary category first, drop ACM codes and keep DOI and journal reference', async () => {
    const { listings } = await parseArxivApi(PAGE, FETCHED_AT);
    const byId = new Map(listings.map((listing) => [listing.arxivId, listing]));

    expect(byId.get('2410.18451')?.categories).toEqual(['cs.AI', 'cs.CL']);
    expect(byId.get('2410.18976')?.categories).toEqual(['cs.CV', 'cs.CL']);
    expect(byId.get('2410.18693')?.categories).toEqual(['cs.CL', 'cs.AI']);
    expect(byId.get('2410.18745')).toMatchObject({ doi: '10.48550/arxiv.2410.18745', journalRef: 'ICLR 2025' });
    // Hard-wrapped titles come out on one line.
    expect(byId.get('2410.18572')?.title).toBe(
      'Taipan: Efficient and Expressive State Space Language Models with Selective Attention',
    );
  });

  it('should throw the message of the API error feed', async () => {
    const error = await parseArxivApi(fixture('api-error.xml'), FETCHED_AT).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ArxivApiQueryError);
    expect((error as Error).message).toBe(
      'the arXiv API refused the query: incorrect id format for 1234.12345 ' +
        '(http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345)',
    );
  });

  it('should read a date with no results as an empty page', async () => {
    expect(await parseArxivApi(apiFeed('', 0), FETCHED_AT)).toEqual({
      listings: [],
      problems: [],
      totalResults: 0,
      entries: 0,
    });
  });

  it('should skip broken entries with a reason and count them in the page', async () => {
    const entry = (id: string, title = '<title>A title</title>', published = '2024-10-24T01:49:49Z') =>
      `<entry><id>${id}</id><published>${published}</published>${title}<summary>S</summary></entry>`;
    const page = await parseArxivApi(
      apiFeed(
        [
          entry('http://arxiv.org/abs/2410.00001v2'),
          entry('http://arxiv.org/api/whatever'),
          entry('http://arxiv.org/abs/2410.00002v1', ''),
          entry('http://arxiv.org/abs/2410.00003v1', '<title>Bad date</title>', 'not a date'),
          entry('http://arxiv.org/abs/2410.00001v2'),
        ].join(''),
        5,
      ),
      FETCHED_AT,
    );

    expect(page.entries).toBe(5);
    expect(page.listings.map((listing) => `${listing.externalId} v${listing.arxivVersion}`)).toEqual([
      '2410.00001 v2',
      '2410.00003 v1',
    ]);
    expect(page.listings[1].listedAt).toEqual(FETCHED_AT);
    expect(page.problems).toEqual([
      'entry 1 (http://arxiv.org/api/whatever): its id is not an arXiv abstract URL',
      'entry 2 (http://arxiv.org/abs/2410.00002v1): no title',
      'entry 3 (http://arxiv.org/abs/2410.00003v1): date "not a date" is not one it could have been submitted at; listed at the fetch time',
      'entry 4 (http://arxiv.org/abs/2410.00001v2): 2410.00001 listed twice; kept the first',
    ]);
  });

  it('should refuse a body that is not Atom', async () => {
    await expect(parseArxivApi('Rate exceeded.', FETCHED_AT)).rejects.toThrow(NotAFeedError);
  });
});
