import Parser from 'rss-parser';
import {
  asCarried,
  BASE,
  decodeHtml,
  FORMATS,
  useFeedsApi,
  XML_FORBIDDEN,
} from '../../../../test/support/feeds-context';
import { waitFor } from '../../../../test/support/processes';
import { parseStrictXml } from '../../../../test/support/strict-xml';

/** Topic and keyword feeds: the papers tagged with a topic or matching a query. */
describe('topic feeds /feeds/topics/:slug.{rss,atom,json} and keyword feeds ?q=', () => {
  const ctx = useFeedsApi('feeds-topic');
  const { get, itemIdsOf, readFeed, fetchFeed } = ctx;

  const ids: Record<'armNew' | 'armOld' | 'softBody' | 'grasp' | 'vision' | 'unready', string> = {
    armNew: '',
    armOld: '',
    softBody: '',
    grasp: '',
    vision: '',
    unready: '',
  };
  const tag = (paperId: string, topic: string): Promise<unknown> =>
    ctx.sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, 5, '{}')`, [
      paperId,
      topic,
    ]);

  beforeAll(async () => {
    ids.armOld = await ctx.newPaper({
      arxivId: '2411.20001',
      title: 'A robot arm that learns to grip: the gripper paper',
      abstract: 'A gripper for robot arms; the string ]]> and \u0002 appear in this abstract.',
      listedAt: '2024-11-01T08:00:00Z',
    });
    ids.armNew = await ctx.newPaper({
      arxivId: '2411.20002',
      title: 'Dexterous manipulation with tactile sensing',
      listedAt: '2024-11-03T08:00:00Z',
    });
    ids.softBody = await ctx.newPaper({
      arxivId: '2411.20003',
      title: 'Soft-body simulation for robot learning',
      listedAt: '2024-11-02T08:00:00Z',
    });
    // A far better match for "gripper" than the robotics paper, but older: feeds are newest first, not by rank.
    ids.grasp = await ctx.newPaper({
      arxivId: '2411.20004',
      title: 'Gripper gripper gripper: a survey of gripper designs',
      abstract: 'Every gripper, gripper after gripper.',
      listedAt: '2024-10-20T08:00:00Z',
    });
    ids.vision = await ctx.newPaper({
      arxivId: '2411.20005',
      title: 'Segment anything, faster',
      listedAt: '2024-11-04T08:00:00Z',
    });
    ids.unready = await ctx.newPaper({
      arxivId: '2411.20006',
      title: 'An unclassified robot gripper',
      listedAt: '2024-11-05T08:00:00Z',
      ready: false,
    });
    for (const id of [ids.armOld, ids.armNew, ids.softBody, ids.unready]) {
      await tag(id, 'robotics');
    }
    await tag(ids.vision, 'vision');
    // Public feeds check for changed papers at most once a second: wait until they show the tags.
    await waitFor('the topic feeds to list the tagged papers', async () => {
      const [robotics, vision] = await Promise.all([get('/feeds/topics/robotics.rss'), get('/feeds/topics/vision.rss')]);
      return robotics.text.includes('Soft-body simulation for robot learning') && vision.text.includes('Segment anything, faster');
    });
  });

  it("should list exactly a topic's ready papers, newest first, with the topic's name and self link, in every format", async () => {
    for (const format of FORMATS) {
      const response = await get(`/feeds/topics/robotics.${format}`);
      const feed = await readFeed(format, response);

      expect(response.headers['cache-control']).toMatch(/\bpublic\b/);
      expect(feed.title).toBe('Paperboy: Robotics');
      expect({ format, self: feed.self }).toEqual({ format, self: `${BASE}/feeds/topics/robotics.${format}` });
      expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({
        format,
        ids: await itemIdsOf([ids.armNew, ids.softBody, ids.armOld]),
      });
    }
  });

  it('should list the papers matching ?q= newest first (not best match first), with the query in title and self link', async () => {
    for (const format of FORMATS) {
      const feed = await fetchFeed(format, `/feeds/papers.${format}?q=gripper`);

      expect(feed.title).toBe('Paperboy: papers matching "gripper"');
      expect({ format, self: feed.self }).toEqual({ format, self: `${BASE}/feeds/papers.${format}?q=gripper` });
      expect({ format, ids: feed.items.map((item) => item.id) }).toEqual({
        format,
        ids: await itemIdsOf([ids.armOld, ids.grasp]),
      });
    }
  });

  it('should read ?q= as GET /api/papers does: a hyphenated word, -exclude, and a topic feed narrowed by a query', async () => {
    const softBody = await fetchFeed('rss', '/feeds/papers.rss?q=soft-body');
    expect(softBody.items.map((item) => item.id)).toEqual(await itemIdsOf([ids.softBody]));
    const notSurvey = await fetchFeed('atom', '/feeds/papers.atom?q=gripper%20-survey');
    expect(notSurvey.items.map((item) => item.id)).toEqual(await itemIdsOf([ids.armOld]));
    const topicAndQuery = await fetchFeed('json', '/feeds/topics/robotics.json?q=tactile');
    expect(topicAndQuery.title).toBe('Paperboy: Robotics matching "tactile"');
    expect(topicAndQuery.self).toBe(`${BASE}/feeds/topics/robotics.json?q=tactile`);
    expect(topicAndQuery.items.map((item) => item.id)).toEqual(await itemIdsOf([ids.armNew]));
  });

  it('should keep a query with &, <, quotes and "]]>" well-formed in the title and self link of every format', async () => {
    const q = 'gripper & <arm> "]]>"';
    for (const format of FORMATS) {
      const feed = await fetchFeed(format, `/feeds/papers.${format}?q=${encodeURIComponent(q)}`);

      expect(asCarried(decodeHtml(feed.title))).toBe(`Paperboy: papers matching "${q}"`);
      expect(feed.self).toBe(`${BASE}/feeds/papers.${format}?q=${encodeURIComponent(q)}`);
    }
  });

  it('should carry an abstract with "]]>" and a control character through rss-parser and the strict parser', async () => {
    const response = await get('/feeds/topics/robotics.rss');
    const parsed = await new Parser().parseString(response.text);
    const item = parsed.items.find((entry) => entry.guid === 'arxiv:2411.20001');

    expect(XML_FORBIDDEN.test(response.text)).toBe(false);
    expect(() => parseStrictXml(response.text)).not.toThrow();
    expect(asCarried(decodeHtml(item?.content ?? ''))).toBe(
      'A gripper for robot arms; the string ]]> and  appear in this abstract.',
    );
  });

  it('should treat an empty q as no query', async () => {
    const all = await fetchFeed('rss', '/feeds/papers.rss');
    const blank = await fetchFeed('rss', '/feeds/papers.rss?q=%20%20');

    expect(blank.title).toBe('Paperboy: latest papers');
    expect(blank.items.map((item) => item.id)).toEqual(all.items.map((item) => item.id));
  });

  it('should date a feed that matches nothing by the last change of the papers, not 1970', async () => {
    const { rows } = await ctx.sql.query<{ changed: Date }>(
      `SELECT max("updatedAt") AS changed FROM papers WHERE "readyAt" IS NOT NULL`,
    );
    const atom = await get('/feeds/topics/graphs.atom');
    expect(atom.status).toBe(200);
    expect(atom.text).not.toContain('<entry>');
    const updated = /<updated>([^<]+)<\/updated>/.exec(atom.text)?.[1];
    expect(updated).toBe(rows[0].changed.toISOString());
    const rss = await get('/feeds/topics/graphs.rss');
    expect(new Date(/<lastBuildDate>([^<]+)<\/lastBuildDate>/.exec(rss.text)?.[1] ?? 0).getTime()).toBe(
      Math.floor(rows[0].changed.getTime() / 1000) * 1000,
    );
  });

  it('should answer 404 naming an unknown topic, in every format', async () => {
    for (const format of FORMATS) {
      const response = await get(`/feeds/topics/astrology.${format}`);

      expect({ format, status: response.status }).toEqual({ format, status: 404 });
      expect((response.body as { message: string }).message).toMatch(
        /^There is no topic "astrology"; topics are: llm, .*robotics/,
      );
    }
  });

  it.each([
    ['/feeds/papers.rss?q=the', /^q "the" has no words to search for/],
    ['/feeds/topics/robotics.atom?q=the%20of', /^q "the of" has no words to search for/],
    ['/feeds/papers.json?q=a&q=b', /^q must be one search string of at most 200 characters$/],
    [`/feeds/papers.rss?q=${'x'.repeat(201)}`, /^q must be one search string of at most 200 characters$/],
    ['/feeds/topics/robotics.xml', /^The feed format must be rss, atom or json/],
  ])('should answer 400 naming what is wrong for %s', async (path, message) => {
    const response = await get(path);

    expect(response.status).toBe(400);
    expect([(response.body as { message: string | string[] }).message].flat().join('\n')).toMatch(message);
  });
});

