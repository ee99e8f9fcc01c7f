import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeXml } from '../shared/feed-text';
import { parseRssFeed } from './rss.parser';

const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../../../../../test/fixtures/feeds', name));
const FETCHED_AT = new Date('2024-10-25T18:00:00Z');

const rss2 = (items: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>${items}</channel></rss>`;

describe('parseRssFeed', () => {
  it('should read a bioRxiv RSS 1.0 feed with its DOIs and "Surname, I." bylines', async () => {
    const { listings, problems } = await parseRssFeed(decodeXml(fixture('biorxiv-bioinformatics.rdf')), FETCHED_AT);

    expect(problems).toEqual([]);
    expect(listings).toHaveLength(3);
    expect(listings[0]).toMatchObject({
      externalId: 'http://biorxiv.org/cgi/content/short/2024.10.22.619563v1?rss=1',
      doi: '10.1101/2024.10.22.619563',
      arxivId: null,
      title: 'Protein language models learn evolutionary statistics of interacting sequence motifs',
      authors: ['Zhang, Z.', 'Wayment-Steele, H. K.', 'Brixi, G.', 'Wang, H.', 'Kern, D.', 'Ovchinnikov, S.'],
      url: 'http://biorxiv.org/cgi/content/short/2024.10.22.619563v1?rss=1',
      announceType: null,
      categories: [],
    });
    expect(listings[0].abstract).toMatch(/^Protein language models \(pLMs\) have emerged as potent tools/);
    expect(listings[0].listedAt.toISOString()).toBe('2024-10-25T00:00:00.000Z');
    expect(listings[1].abstract).toContain('outperforms the baselines & that most fail');
    // An arXiv link in the abstract names the paper's arXiv twin.
    expect(listings[2]).toMatchObject({
      arxivId: '2410.17897',
      authors: ['Okafor, C. N.', 'Lindqvist, J.-P.', 'Mbeki, T.'],
    });
  });

  it('should read an Atom blog with several authors, HTML titles and arXiv and DOI links', async () => {
    const { listings, problems } = await parseRssFeed(decodeXml(fixture('lab-blog.atom')), FETCHED_AT);

    expect(problems).toEqual([]);
    expect(listings.map((listing) => [listing.externalId, listing.arxivId, listing.arxivVersion, listing.doi])).toEqual(
      [
        ['tag:ml-lab.example.org,2024-10-25:/2024/10/25/inf-cl', '2410.17243', 1, null],
        ['tag:ml-lab.example.org,2024-10-24:/2024/10/24/oscillators', null, null, '10.1103/physrevx.13.041041'],
        ['tag:ml-lab.example.org,2024-10-23:/2024/10/23/context-length', '2410.18745', 1, null],
      ],
    );
    expect(listings[0]).toMatchObject({
      title: 'Breaking the memory barrier & contrastive loss',
      abstract: 'How Inf-CL avoids materialising the similarity matrix: x < y, always.',
      authors: ['Maria Rossi', 'Kenji Tanaka'],
      categories: ['contrastive-learning', 'Efficiency'],
      url: 'https://ml-lab.example.org/2024/10/25/inf-cl.html',
    });
    expect(listings[0].listedAt.toISOString()).toBe('2024-10-25T07:00:00.000Z');
    // No summary: the content stands in. No date at all: the fetch time.
    expect(listings[2].abstract).toBe('PDF: arxiv.org/pdf/2410.18745v1; STRING shifts position indices.');
    expect(listings[2].listedAt).toEqual(FETCHED_AT);
    expect(listings[2].publishedAt).toBeNull();
  });

  it('should read a journal feed in ISO-8859-1 with prism:doi, repeated dc:creator and DOIs in the text', async () => {
    const body = fixture('journal-latin1.rss');
    expect(body.includes(Buffer.from('Garc\u00eda', 'utf8'))).toBe(false);

    const { listings, problems } = await parseRssFeed(decodeXml(body, 'application/rss+xml'), FETCHED_AT);

    expect(problems).toEqual([]);
    expect(listings[0]).toMatchObject({
      externalId: 'https://revista-aa.example.es/articulos/2024/0143',
      title: 'Aprendizaje por refuerzo con recompensas escasas en robótica móvil',
      authors: ['José María García-López', 'Ana Ibáñez', 'Lukas Müller'],
      doi: '10.1234/raa.2024.0143',
      categories: ['Robótica', 'Aprendizaje por refuerzo'],
    });
    expect(listings[0].listedAt.toISOString()).toBe('2024-10-24T08:30:00.000Z');
    expect(listings[1]).toMatchObject({
      doi: '10.1234/raa.2024.0144',
      arxivId: '2409.01234',
      arxivVersion: 2,
      authors: ['Pilar Álvarez', 'Jordi Puig'],
    });
    expect(listings[2]).toMatchObject({ doi: '10.1234/raa.2024.0139', authors: [] });
  });

  it('should skip items without a title or any id and repeats, naming each, and keep the rest', async () => {
    const { listings, problems } = await parseRssFeed(
      rss2(`
        <item><title>First</title><guid>urn:x:1</guid><pubDate>Fri, 25 Oct 2024 09:00:00 GMT</pubDate></item>
        <item><title>Nothing to know it by</title><description>No guid, no link.</description></item>
        <item><guid>urn:x:2</guid><description>No title.</description></item>
        <item><title>   </title><link>https://example.org/3</link></item>
        <item><title>Bad date</title><guid>urn:x:4</guid><pubDate>31/12/2024</pubDate></item>
        <item><title>Future</title><guid>urn:x:5</guid><pubDate>Sat, 25 Oct 2025 09:00:00 GMT</pubDate></item>
        <item><title>First again</title><guid>urn:x:1</guid></item>
        <item><title>By email</title><link>https://example.org/6</link><author>jo@example.org (Jo Bloggs)</author></item>`),
      FETCHED_AT,
    );

    expect(listings.map((listing) => listing.externalId)).toEqual([
      'urn:x:1',
      'urn:x:4',
      'urn:x:5',
      'https://example.org/6',
    ]);
    expect(problems).toEqual([
      'item 1 ("Nothing to know it by"): no guid, id or link',
      'item 2 (urn:x:2): no title',
      'item 3 (https://example.org/3): no title',
      'item 4 (urn:x:4): date "31/12/2024" is not one it could have been listed at; listed at the fetch time',
      'item 5 (urn:x:5): date "Sat, 25 Oct 2025 09:00:00 GMT" is not one it could have been listed at; listed at the fetch time',
      'item 6 (urn:x:1): urn:x:1 listed twice; kept the first',
    ]);
    expect(listings[1].listedAt).toEqual(FETCHED_AT);
    expect(listings[2].listedAt).toEqual(FETCHED_AT);
    expect(listings[3].authors).toEqual(['Jo Bloggs']);
  });

  it('should expand no entity a document declares itself (billion laughs, external files)', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
      <rss version="2.0"><channel><item><title>&b;</title><guid>g</guid></item></channel></rss>`;
    const external = `<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <rss version="2.0"><channel><item><title>&x;</title><guid>g</guid></item></channel></rss>`;

    await expect(parseRssFeed(laughs, FETCHED_AT)).rejects.toThrow(
      /^not an RSS or Atom feed \(Invalid character entity/,
    );
    await expect(parseRssFeed(external, FETCHED_AT)).rejects.toThrow(
      /^not an RSS or Atom feed \(Invalid character entity/,
    );
  });

  it('should read an RSS feed without a version and an Atom entry with a broken date without failing the feed', async () => {
    const unversioned = await parseRssFeed(
      '<rss><channel><item><title>A</title><guid>g</guid></item></channel></rss>',
      FETCHED_AT,
    );
    expect(unversioned.listings.map((listing) => listing.title)).toEqual(['A']);

    const atom = await parseRssFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:a</id><title>Broken</title><published>not a date</published></entry>
        <entry><id>urn:b</id><title>Fine</title><updated>2024-10-25T10:00:00Z</updated></entry></feed>`,
      FETCHED_AT,
    );
    expect(atom.listings.map((listing) => [listing.externalId, listing.listedAt.toISOString()])).toEqual([
      ['urn:a', FETCHED_AT.toISOString()],
      ['urn:b', '2024-10-25T10:00:00.000Z'],
    ]);
    expect(atom.problems).toEqual([
      'item 0 (urn:a): date "not a date" is not one it could have been listed at; listed at the fetch time',
    ]);
  });
});
