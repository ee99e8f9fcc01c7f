import { Queue } from 'bullmq';
import Handlebars from 'handlebars';
import { Client } from 'pg';
import { Response } from 'supertest';
import { signToken } from '@libs/domain';
import { ApiApp, insertPapers, PaperSeed, startApiApp } from '../../../../test/support/api-app';

const SECRET = 'web-int-secret-web-int-secret-0123';
const HOSTILE = '<script>alert("x")</script> & Friends';
/** An attribute value as the template engine writes it (it escapes `=` too). */
const attr = (text: string): string => Handlebars.escapeExpression(text);

type SeedPaper = PaperSeed & { key: string };

const PAPERS: SeedPaper[] = [
  {
    key: 'low',
    title: 'Tiny Agents for Small Devices',
    abstract: 'Language agents that run on phones.',
    listedAt: '2026-11-27T08:00:00Z',
    upvotes: 3,
    arxivId: '2411.10001',
    topics: [{ topic: 'agents', score: 5, evidence: ['title: "agents"'] }],
  },
  {
    key: 'top',
    title: 'Test-Time Scaling for Reasoning Models',
    abstract: 'We spend more compute at inference to improve chain-of-thought reasoning.',
    authors: ['Ada Lovelace', 'Alan Turing'],
    listedAt: '2026-11-27T07:00:00Z',
    upvotes: 42,
    arxivId: '2411.10002',
    codeUrl: 'javascript:alert(1)',
    topics: [
      { topic: 'reasoning', score: 7, evidence: ['title: "test-time scaling"'] },
      { topic: 'llm', score: 3.5, evidence: ['abstract: "chain-of-thought"'] },
    ],
  },
  {
    key: 'hostile',
    title: HOSTILE,
    abstract: 'An abstract with <b>markup</b> in it.',
    authors: ['Mallory <img src=x>'],
    listedAt: '2026-11-25T09:00:00Z',
    upvotes: 7,
    arxivId: '2411.10003',
    topics: [{ topic: 'safety', score: 4, evidence: ['abstract: "<b>markup</b>"'] }],
  },
  {
    key: 'old',
    title: 'Post-Training Quantization of Large Language Models',
    abstract: 'We quantize weights to four bits.',
    listedAt: '2026-11-20T10:00:00Z',
    upvotes: 20,
    arxivId: '2411.10004',
    topics: [{ topic: 'efficiency', score: 6, evidence: ['title: "quantization"'] }],
  },
  {
    key: 'unready',
    title: 'Not Yet Classified Paper',
    abstract: 'Still waiting.',
    listedAt: '2026-11-27T09:00:00Z',
    upvotes: 99,
    arxivId: '2411.10005',
    ready: false,
  },
];

/** The web pages through the api in-process (createApiApp, as main.ts does) against real Postgres and Redis. */
describe('web pages (integration)', () => {
  let api: ApiApp;
  let sql: Client;
  let notify: Queue;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    api = await startApiApp('web', {
      APP_SECRET: SECRET,
      PUBLIC_URL: 'http://127.0.0.1',
      ALLOW_PRIVATE_TARGETS: 'false',
      SUBSCRIBE_RATE_LIMIT: '10000',
    });
    sql = api.sql;
    notify = api.queue('notify');
    (await insertPapers(sql, PAPERS)).forEach((id, index) => ids.set(PAPERS[index].key, id));
  }, 60_000);

  afterAll(() => api?.close());

  const http = () => api.http();
  const page = async (path: string, status = 200): Promise<string> => {
    const response = await http().get(path);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    return response.text;
  };
  /** The paper titles of a list page, in order. */
  const titlesOf = (html: string): string[] =>
    [...html.matchAll(/<h2><a href="\/papers\/[^"]+">([^<]*)<\/a><\/h2>/g)].map((match) => match[1]);
  const postForm = (path: string, form: string): Promise<Response> =>
    http().post(path).set('content-type', 'application/x-www-form-urlencoded').send(form);
  const countSubscriptions = async (): Promise<number> =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n;

  describe('layout and assets', () => {
    it('should serve the stylesheet as a same-origin CSS file and link it from an accessible layout', async () => {
      const css = await http().get('/assets/paperboy.css');
      expect(css.status).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.text).toContain('@media');

      const html = await page('/');
      expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
      expect(html).toContain('<link rel="stylesheet" href="/assets/paperboy.css">');
      expect(html).toMatch(/<header class="site-header">[\s\S]*<nav aria-label="Main">/);
      expect(html).toContain('<main id="main">');
      expect(html).toContain('<footer');
      expect(html).not.toMatch(/<script|<style/);
    });
  });

  describe('GET /', () => {
    it('should show the latest listing day, most upvoted first, with authors, chips, abstract on demand and links', async () => {
      const html = await page('/');

      expect(html).toContain('Papers of Friday 27 November 2026');
      expect(titlesOf(html)).toEqual(['Test-Time Scaling for Reasoning Models', 'Tiny Agents for Small Devices']);
      expect(html).toContain(`href="/papers/${ids.get('top')}"`);
      expect(html).toContain('Ada Lovelace, Alan Turing');
      expect(html).toContain('aria-label="42 upvotes"');
      expect(html).toContain('<a class="chip" href="/topics/reasoning">Reasoning</a>');
      expect(html).toContain('<details><summary>Abstract</summary><p>We spend more compute');
      expect(html).toContain('href="https://arxiv.org/abs/2411.10002"');
      expect(html).toContain('href="https://huggingface.co/papers/2411.10002"');
      expect(html).not.toContain('Not Yet Classified');
      // A javascript: URL from a source never becomes a link.
      expect(html).not.toContain('javascript:');
    });

    it('should link to the previous and next days that have papers, skipping empty days', async () => {
      const latest = await page('/');
      expect(latest).toContain(`rel="prev" href="${attr('/?date=2026-11-25')}"`);
      expect(latest).not.toContain('rel="next"');

      const middle = await page('/?date=2026-11-25');
      expect(titlesOf(middle)).toEqual([
        HOSTILE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
      ]);
      expect(middle).toContain(`rel="prev" href="${attr('/?date=2026-11-20')}"`);
      expect(middle).toContain(`rel="next" href="${attr('/?date=2026-11-27')}"`);

      const empty = await page('/?date=2026-11-22');
      expect(empty).toContain('No papers were listed this day.');
      expect(empty).toContain(`rel="next" href="${attr('/?date=2026-11-25')}"`);
    });

    it('should escape hostile titles, authors and evidence everywhere', async () => {
      const list = await page('/?date=2026-11-25');
      const paper = await page(`/papers/${ids.get('hostile')}`);
      for (const html of [list, paper]) {
        expect(html).not.toContain('<script>alert');
        expect(html).not.toContain('<img src=x>');
        expect(html).not.toContain('<b>markup</b>');
        expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Friends');
      }
      expect(paper).toContain(
        '<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Friends · Paperboy</title>',
      );
    });

    it('should filter by topic, on the latest day of that topic, and keep the topic in the day links', async () => {
      const html = await page('/?topic=efficiency');
      expect(html).toContain('Papers of Friday 20 November 2026 in Efficient ML');
      expect(titlesOf(html)).toEqual(['Post-Training Quantization of Large Language Models']);
      expect(html).toContain('<option value="efficiency" selected>');

      const day = await page('/?topic=agents&date=2026-11-27');
      expect(titlesOf(day)).toEqual(['Tiny Agents for Small Devices']);
      expect(day).not.toContain('rel="prev"');
    });

    it('should search every day with the API search rules, best match first, keeping the query in the box', async () => {
      const html = await page('/?q=%22test-time+scaling%22');
      expect(titlesOf(html)).toEqual(['Test-Time Scaling for Reasoning Models']);
      expect(html).toContain('value="&quot;test-time scaling&quot;"');
      expect(html).toContain('1 paper found');

      expect(titlesOf(await page('/?q=quantize+-survey'))).toEqual([
        'Post-Training Quantization of Large Language Models',
      ]);
      expect(titlesOf(await page('/?q=agents&topic=reasoning'))).toEqual([]);
      expect(await page('/?q=nothingmatchesthis')).toContain('No paper matches.');
    });

    it('should answer a 400 page naming what is wrong with the search', async () => {
      expect(await page('/?topic=astrology', 400)).toContain('topic must be one of: llm, ');
      expect(await page('/?date=2026-02-30', 400)).toContain('date must be a calendar date as YYYY-MM-DD');
      expect(await page('/?q=the', 400)).toContain('has no words to search for');
      // Unknown parameters (tracking tags) are ignored, not refused.
      expect(titlesOf(await page('/?utm_source=mail'))).toHaveLength(2);
    });
  });

  describe('GET /topics/:slug and /papers/:id', () => {
    it('should list a topic newest first with its name, scope and a subscribe link', async () => {
      const html = await page('/topics/reasoning');
      expect(html).toContain('<h1>Reasoning</h1>');
      expect(html).toContain('test-time compute');
      expect(titlesOf(html)).toEqual(['Test-Time Scaling for Reasoning Models']);
      expect(html).toContain(`href="${attr('/subscribe?topic=reasoning')}"`);
    });

    it('should show a paper with all its metadata, its topics with why, and its links', async () => {
      const html = await page(`/papers/${ids.get('top')}`);
      expect(html).toContain('<h1>Test-Time Scaling for Reasoning Models</h1>');
      expect(html).toContain('Ada Lovelace, Alan Turing');
      expect(html).toContain('<dt>Upvotes</dt><dd>42</dd>');
      expect(html).toContain(`href="${attr('/?date=2026-11-27')}"`);
      expect(html).toContain('We spend more compute at inference to improve chain-of-thought reasoning.');
      expect(html).toContain('why: title: &quot;test-time scaling&quot;');
      expect(html).toContain('why: abstract: &quot;chain-of-thought&quot;');
      expect(html).toContain('href="https://huggingface.co/papers/2411.10002"');
      expect(html).not.toContain('javascript:');
    });

    it('should answer a 404 page for an unknown topic, an unknown, malformed or unready paper', async () => {
      expect(await page('/topics/astrology', 404)).toContain('There is no such topic.');
      expect(await page('/papers/00000000-0000-4000-8000-000000000000', 404)).toContain('There is no such paper.');
      expect(await page('/papers/not-a-uuid', 404)).toContain('There is no such paper.');
      expect(await page(`/papers/${ids.get('unready')}`, 404)).toContain('There is no such paper.');
    });
  });

  describe('GET and POST /subscribe', () => {
    it('should show a labelled form with every topic, UTC by default and the topic of a topic page ticked', async () => {
      const html = await page('/subscribe?topic=rl');
      expect(html).toContain('<form class="stack" id="subscribe-form" method="post" action="/subscribe"');
      for (const field of [
        'email',
        'slackWebhookUrl',
        'keywords',
        'frequency',
        'weekday',
        'timezone',
        'sendHour',
        'maxPapers',
      ]) {
        expect(html).toContain(`<label for="${field}">`);
        expect(html).toContain(`id="${field}"`);
      }
      expect((html.match(/name="topics"/g) ?? []).length).toBe(21);
      expect(html).toContain('<input type="checkbox" name="topics" value="rl" checked>');
      expect(html).toContain('name="timezone" value="UTC"');
      expect(html).toContain('<option value="Europe/Paris">');
    });

    it('should store a pending subscription from the form, queue its ConfirmationSend job and say to check the inbox', async () => {
      const response = await postForm(
        '/subscribe',
        'email=Web.Reader%40Example.org&slackWebhookUrl=&topics=llm&topics=agents&keywords=quantization%0D%0A%22test-time+scaling%22%0D%0A&frequency=weekly&weekday=5&timezone=Europe%2FParis&sendHour=7&maxPapers=15&minUpvotes=',
      );

      expect(response.status).toBe(200);
      expect(response.text).toContain('<h1>Check your inbox</h1>');
      const { rows } = await sql.query(`SELECT * FROM subscriptions WHERE email = 'web.reader@example.org'`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'pending',
        topics: ['llm', 'agents'],
        keywords: ['quantization', '"test-time scaling"'],
        frequency: 'weekly',
        weekday: 5,
        timezone: 'Europe/Paris',
        sendHour: 7,
        maxPapers: 15,
        minUpvotes: 0,
      });
      const job = await notify.getJob(`confirm-${rows[0].id}`);
      expect(job?.name).toBe('ConfirmationSend');
      expect(job?.data).toEqual({ subscriptionId: rows[0].id });
    });

    it('should take a single checkbox as a string, and show a Slack subscription its manage and feed links', async () => {
      const response = await postForm(
        '/subscribe',
        'slackWebhookUrl=https%3A%2F%2Fhooks.slack.com%2Fservices%2FT1%2FB1%2Fweb-secret&topics=rl',
      );

      expect(response.status).toBe(200);
      expect(response.text).toContain('<h1>You are subscribed</h1>');
      const { rows } = await sql.query(`SELECT id, topics, status FROM subscriptions WHERE topics = '{rl}'`);
      expect(rows).toEqual([{ id: expect.any(String), topics: ['rl'], status: 'active' }]);
      expect(response.text).toContain(`href="${attr(`/manage?id=${rows[0].id}&token=`)}`);
      expect(response.text).not.toContain('web-secret');
    });

    it('should answer 400 with each message next to its field, keep what was typed and store nothing', async () => {
      const before = await countSubscriptions();
      const response = await postForm(
        '/subscribe',
        'email=not-an-email&topics=astrology&keywords=%3Cb%3Eok%3C%2Fb%3E&timezone=Mars%2FBase&sendHour=25&maxPapers=many',
      );

      expect(response.status).toBe(400);
      const html = response.text;
      expect(html).toMatch(
        /<p class="error" id="email-error">email must be an email address<\/p>\s*<input type="email" id="email" name="email"[^>]*value="not-an-email" aria-describedby="email-hint email-error" aria-invalid="true">/,
      );
      expect(html).toContain(
        '<p class="error" id="timezone-error">timezone must be an IANA time zone such as Europe/Paris</p>',
      );
      expect(html).toContain('id="sendHour-error">sendHour must not be greater than 23');
      expect(html).toMatch(/id="maxPapers-error">[^\n]*maxPapers must be an integer number<\/p>/);
      expect(html).toContain('id="topics-error">each topic must be one of: llm,');
      expect(html).toContain('<div class="summary" role="alert"');
      expect(html).toContain('&lt;b&gt;ok&lt;/b&gt;</textarea>');
      expect(html).toContain('value="Mars/Base"');
      expect(await countSubscriptions()).toBe(before);
    });

    it('should answer 400 by the Slack field for a webhook that is not Slack, and store nothing', async () => {
      const before = await countSubscriptions();
      const response = await postForm('/subscribe', 'slackWebhookUrl=https%3A%2F%2Fexample.org%2Fhook');
      expect(response.status).toBe(400);
      expect(response.text).toContain('id="slackWebhookUrl-error">slackWebhookUrl must be a Slack incoming webhook');
      expect(await countSubscriptions()).toBe(before);
    });
  });

  describe('GET and POST /manage', () => {
    const slackSubscription = async (): Promise<{ id: string; token: string }> => {
      const response = await http()
        .post('/api/subscriptions')
        .send({
          slackWebhookUrl: 'https://hooks.slack.com/services/T2/B2/manage-secret',
          topics: ['llm'],
          keywords: ['agents'],
          sendHour: 6,
        });
      expect(response.status).toBe(202);
      const { id, manageUrl } = response.body as { id: string; manageUrl: string };
      return { id, token: new URL(manageUrl).searchParams.get('token') as string };
    };
    const manageUrl = (id: string, token: string): string => `/manage?id=${id}&token=${encodeURIComponent(token)}`;

    it('should show the subscription, its channels and a prefilled form posting back to the page', async () => {
      const { id, token } = await slackSubscription();
      const html = await page(manageUrl(id, token));

      expect(html).toContain('<meta name="robots" content="noindex">');
      expect(html).toContain('Slack (hooks.slack.com)');
      expect(html).not.toContain('manage-secret');
      expect(html).toContain(`action="${attr(manageUrl(id, token))}"`);
      expect(html).toContain('<input type="checkbox" name="topics" value="llm" checked>');
      expect(html).toContain('>agents</textarea>');
      expect(html).toContain('<option value="6" selected>06:00</option>');
      expect(html).toMatch(/href="http:\/\/127\.0\.0\.1\/unsubscribe\?token&#x3D;[^"]+">Unsubscribe<\/a>/);
      expect(html).toContain('/feeds/subscription.rss?token&#x3D;');
    });

    it('should save changed preferences and show them, or answer 400 by the field and change nothing', async () => {
      const { id, token } = await slackSubscription();

      const saved = await postForm(
        manageUrl(id, token),
        'topics=rl&topics=vision&excludeTopics=safety&excludeTopics=robotics&keywords=&frequency=weekly&weekday=3&timezone=Asia%2FTokyo&sendHour=9&maxPapers=5&minUpvotes=2',
      );
      expect(saved.status).toBe(200);
      expect(saved.text).toContain('Saved.');
      expect(saved.text).toContain('<input type="checkbox" name="topics" value="vision" checked>');
      expect(saved.text).toContain('<input type="checkbox" name="excludeTopics" value="safety" checked>');
      expect(saved.text).toContain('<input type="checkbox" name="excludeTopics" value="rl">');
      expect(saved.text).toContain('<summary>Leave out topics (2)</summary>');
      const { rows } = await sql.query('SELECT * FROM subscriptions WHERE id = $1', [id]);
      expect(rows[0]).toMatchObject({
        topics: ['rl', 'vision'],
        excludeTopics: ['safety', 'robotics'],
        keywords: [],
        frequency: 'weekly',
        weekday: 3,
        timezone: 'Asia/Tokyo',
        sendHour: 9,
        maxPapers: 5,
        minUpvotes: 2,
      });

      const refused = await postForm(manageUrl(id, token), 'topics=rl&timezone=Nowhere&sendHour=9&maxPapers=0');
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('id="timezone-error">timezone must be an IANA time zone');
      expect(refused.text).toContain('id="maxPapers-error">maxPapers must not be less than 1');
      expect((await sql.query('SELECT timezone, "maxPapers" FROM subscriptions WHERE id = $1', [id])).rows[0]).toEqual({
        timezone: 'Asia/Tokyo',
        maxPapers: 5,
      });
    });

    it('should answer a 404 page for a bad, missing or wrong-purpose token, another id, or a cancelled subscription', async () => {
      const { id, token } = await slackSubscription();
      const other = await slackSubscription();

      expect(await page(`/manage?id=${id}&token=tampered`, 404)).toContain('This link is not valid');
      expect(await page(`/manage?id=${id}`, 404)).toContain('This link is not valid');
      expect(await page(manageUrl(other.id, token), 404)).toContain('This link is not valid');
      await page(manageUrl(id, signToken(SECRET, 'unsubscribe', id, new Date())), 404);
      expect((await postForm(`/manage?id=${id}&token=tampered`, 'topics=rl')).status).toBe(404);

      await sql.query(`UPDATE subscriptions SET status = 'unsubscribed' WHERE id = $1`, [id]);
      await page(manageUrl(id, token), 404);
      expect((await postForm(manageUrl(id, token), 'topics=rl')).status).toBe(404);
      expect((await sql.query('SELECT topics FROM subscriptions WHERE id = $1', [id])).rows[0].topics).toEqual(['llm']);
    });
  });

  describe('time zone guess, digest preview and the pages behind email links', () => {
    const HOUR = 3600 * 1000;
    const recent = new Map<string, string>();

    beforeAll(async () => {
      const now = Date.now();
      const fixtures = [
        { key: 'armTop', title: 'Robot arms that fold laundry', upvotes: 30, ago: 2, topic: 'robotics' },
        { key: 'armMid', title: 'A tactile gripper for soft objects', upvotes: 12, ago: 5, topic: 'robotics' },
        { key: 'armLow', title: 'Legged locomotion on ice', upvotes: 1, ago: 20, topic: 'robotics' },
        // Outside the daily lookback (2 days) but inside the weekly one (8 days).
        { key: 'armOld', title: 'Last week in robot learning', upvotes: 50, ago: 24 * 5, topic: 'robotics' },
        { key: 'notRobotics', title: 'Graph transformers revisited', upvotes: 40, ago: 3, topic: 'graphs' },
      ];
      for (const paper of fixtures) {
        const { rows } = await sql.query<{ id: string }>(
          `INSERT INTO papers (title, abstract, authors, upvotes, "listedAt", "readyAt")
           VALUES ($1, $2, '{Grace Hopper}', $3, $4, now()) RETURNING id`,
          [paper.title, `About ${paper.title.toLowerCase()}.`, paper.upvotes, new Date(now - paper.ago * HOUR)],
        );
        recent.set(paper.key, rows[0].id);
        await sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, $2, 5, '{}')`, [
          rows[0].id,
          paper.topic,
        ]);
      }
    });

    const previewTitles = (html: string): string[] => titlesOf(html.slice(html.indexOf('id="preview"')));

    it('should serve the time zone script from its own origin and load it only on a fresh subscribe form', async () => {
      const script = await http().get('/assets/paperboy.js');
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.text).toContain('Intl.DateTimeFormat().resolvedOptions().timeZone');
      expect(script.text).toContain('data-guess-timezone');

      const fresh = await page('/subscribe');
      expect(fresh).toContain('<script src="/assets/paperboy.js" defer></script>');
      expect(fresh).not.toMatch(/<script(?! src="\/assets\/paperboy\.js")/);
      expect(fresh).toMatch(/<input type="text" id="timezone" name="timezone" value="UTC"[^>]* data-guess-timezone/);
      expect(fresh).toContain('<p class="hint" id="timezone-guess" aria-live="polite"></p>');

      // A form sent back with what the person typed keeps their zone: nothing guesses over it.
      const refused = await postForm('/subscribe', 'email=bad&timezone=Asia%2FKolkata');
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('value="Asia/Kolkata"');
      expect(refused.text).not.toContain('data-guess-timezone');
      expect(refused.text).not.toContain('<script');
    });

    it('should preview the papers a digest of the chosen topics would hold now, ranked and capped, saving and sending nothing', async () => {
      const subscriptions = await countSubscriptions();
      const jobs = await notify.count();

      const response = await postForm(
        '/subscribe',
        'intent=preview&email=&topics=robotics&keywords=&frequency=daily&timezone=Europe%2FBerlin&sendHour=7&maxPapers=2&minUpvotes=0',
      );

      expect(response.status).toBe(200);
      const html = response.text;
      expect(html).toContain('<h2 id="preview-heading">Today&#x27;s digest would have held 2 papers</h2>');
      expect(html).toContain('1 more matched but would not have fit: a digest holds at most 2 papers.');
      expect(previewTitles(html)).toEqual(['Robot arms that fold laundry', 'A tactile gripper for soft objects']);
      // The form comes back as it was sent, ready to subscribe.
      expect(html).toContain('<input type="checkbox" name="topics" value="robotics" checked>');
      expect(html).toContain('value="Europe/Berlin"');
      expect(html).toContain('name="maxPapers" inputmode="numeric" min="1" max="100" value="2"');
      expect(await countSubscriptions()).toBe(subscriptions);
      expect(await notify.count()).toBe(jobs);
    });

    it('should preview keywords, minimum upvotes and a weekly lookback as the digest selects them', async () => {
      const keyword = await postForm('/subscribe', 'intent=preview&keywords=gripper&frequency=daily');
      expect(previewTitles(keyword.text)).toEqual(['A tactile gripper for soft objects']);

      const upvoted = await postForm('/subscribe', 'intent=preview&topics=robotics&minUpvotes=10');
      expect(previewTitles(upvoted.text)).toEqual([
        'Robot arms that fold laundry',
        'A tactile gripper for soft objects',
      ]);

      const excluding = await postForm('/subscribe', 'intent=preview&excludeTopics=robotics&frequency=daily');
      expect(previewTitles(excluding.text)).toContain('Graph transformers revisited');
      expect(previewTitles(excluding.text)).not.toContain('Robot arms that fold laundry');
      expect(previewTitles(excluding.text)).not.toContain('A tactile gripper for soft objects');
      expect(excluding.text).toContain('<input type="checkbox" name="excludeTopics" value="robotics" checked>');

      const weekly = await postForm('/subscribe', 'intent=preview&topics=robotics&frequency=weekly&weekday=1');
      expect(previewTitles(weekly.text)[0]).toBe('Last week in robot learning');
      expect(weekly.text).toContain('first listed in the last 8 days');

      const empty = await postForm('/subscribe', 'intent=preview&topics=audio');
      expect(empty.status).toBe(200);
      expect(empty.text).toContain('Today&#x27;s digest would have been empty');
    });

    it('should answer a preview with bad preferences 400 by the field, without a preview, and not ask for an address', async () => {
      const response = await postForm('/subscribe', 'intent=preview&email=not-an-email&topics=robotics&maxPapers=0');

      expect(response.status).toBe(400);
      expect(response.text).toContain('id="maxPapers-error">maxPapers must not be less than 1');
      expect(response.text).not.toContain('id="email-error"');
      expect(response.text).not.toContain('id="preview"');
    });

    it('should show the confirmation, unsubscribe and bad-link pages in the site layout, kept out of search engines', async () => {
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour")
         VALUES ('layout@example.org', 'pending', '{robotics}', 'daily', 'UTC', 8) RETURNING id`,
      );
      const id = rows[0].id;
      const inLayout = (html: string): void => {
        expect(html).toContain('<link rel="stylesheet" href="/assets/paperboy.css">');
        expect(html).toMatch(/<header class="site-header">[\s\S]*<nav aria-label="Main">/);
        expect(html).toContain('<main id="main">');
        expect(html).toContain('<meta name="robots" content="noindex">');
        expect(html).not.toMatch(/<script|<style/);
      };

      const confirmed = await page(
        `/subscriptions/confirm?token=${encodeURIComponent(signToken(SECRET, 'confirm', id, new Date()))}`,
      );
      inLayout(confirmed);
      expect(confirmed).toContain('<h1>Subscription confirmed</h1>');
      expect(confirmed).toMatch(/<a href="http:\/\/127\.0\.0\.1\/manage\?id&#x3D;[^"]+">Manage your preferences<\/a>/);

      const unsubscribeUrl = `/unsubscribe?token=${encodeURIComponent(signToken(SECRET, 'unsubscribe', id, new Date()))}`;
      const form = await page(unsubscribeUrl);
      inLayout(form);
      expect(form).toContain('<form method="post"><button type="submit">Unsubscribe</button></form>');
      const done = await http().post(unsubscribeUrl);
      expect(done.status).toBe(200);
      inLayout(done.text);
      expect(done.text).toContain('<h1>You are unsubscribed</h1>');
      expect(done.text).toContain('<a href="/subscribe">Subscribe again</a>');

      const invalid = await page('/unsubscribe?token=tampered', 404);
      inLayout(invalid);
      expect(invalid).toContain('<h1>This link is not valid</h1>');
    });
  });

  describe('pages of a long day and of a topic', () => {
    const DAY = '2026-10-14';
    const OTHER_DAY = '2026-10-12';
    const RECSYS = [{ topic: 'recsys', score: 5, evidence: [] }];
    const manyIds: string[] = [];

    beforeAll(async () => {
      // 65 papers on one day: three pages of 30. Upvotes are distinct so the order is known.
      const seeds: SeedPaper[] = Array.from({ length: 65 }, (_, index) => ({
        key: `many-${index}`,
        title: `Many papers number ${index}`,
        abstract: 'A paper of a busy day.',
        listedAt: `${DAY}T${String(index % 24).padStart(2, '0')}:00:00Z`,
        upvotes: 1000 + index,
        topics: [{ topic: 'recsys', score: 5, evidence: [] }],
      }));
      manyIds.push(...(await insertPapers(sql, seeds)));
      await insertPapers(sql, [
        {
          title: 'An earlier day, few upvotes',
          abstract: 'x',
          listedAt: `${OTHER_DAY}T23:00:00Z`,
          upvotes: 1,
          topics: RECSYS,
        },
        {
          title: 'An earlier day, many upvotes',
          abstract: 'x',
          listedAt: `${OTHER_DAY}T01:00:00Z`,
          upvotes: 5000,
          topics: RECSYS,
        },
      ]);
    });

    it('should show a day 30 papers a page, most upvoted first, with a pager that keeps the day', async () => {
      const first = await page(`/?date=${DAY}`);
      expect(titlesOf(first)).toEqual(Array.from({ length: 30 }, (_, i) => `Many papers number ${64 - i}`));
      expect(first).toContain('Papers 1–30 of 65, most upvoted first');
      expect(first).toContain('<span class="muted">Page 1 of 3</span>');
      expect(first).toContain(`rel="next" href="${attr(`/?date=${DAY}&page=2`)}"`);

      const last = await page(`/?date=${DAY}&page=3`);
      expect(titlesOf(last)).toEqual(Array.from({ length: 5 }, (_, i) => `Many papers number ${4 - i}`));
      expect(last).toContain('Papers 61–65 of 65, most upvoted first');
      expect(last).toContain(`rel="prev" href="${attr(`/?date=${DAY}&page=2`)}"`);
      expect(await page(`/?date=${DAY}&page=9`)).toContain(
        'There are 3 pages of papers here: this page is past the last one.',
      );
      // Light: a page of 30 papers, not the whole day.
      expect(Buffer.byteLength(first)).toBeLessThan(80_000);
    });

    it('should list a topic by day, newest day first and most upvoted first within a day, under day headings', async () => {
      const pages = await Promise.all([1, 2, 3, 4].map((n) => page(`/topics/recsys?page=${n}`)));
      // Upvotes order a day, whatever the hour a paper was listed at; the earlier day follows.
      expect(pages.flatMap(titlesOf)).toEqual([
        ...Array.from({ length: 65 }, (_, i) => `Many papers number ${64 - i}`),
        'An earlier day, many upvotes',
        'An earlier day, few upvotes',
      ]);
      expect(pages[3]).toMatch(
        /<time datetime="2026-10-14">Wednesday 14 October 2026<\/time>[\s\S]*Many papers number 0[\s\S]*<time datetime="2026-10-12">Monday 12 October 2026<\/time>[\s\S]*An earlier day, many upvotes/,
      );
      expect(pages[0]).toContain('67 papers, newest day first, most upvoted first within a day');
    });
  });

  describe('errors for browsers and for API clients', () => {
    const asBrowser = (path: string) =>
      http().get(path).set('accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    const htmlPage = async (path: string, status: number): Promise<string> => {
      const response = await asBrowser(path);
      expect({ path, status: response.status, type: response.headers['content-type'] }).toEqual({
        path,
        status,
        type: 'text/html; charset=utf-8',
      });
      expect(response.text).toContain('<main id="main">');
      expect(response.text).toContain('<link rel="stylesheet" href="/assets/paperboy.css">');
      return response.text;
    };

    it('should name a repeated or malformed page parameter on the HTML routes with a 400 page', async () => {
      expect(await htmlPage('/?page=1&page=2', 400)).toContain('page must be given once');
      expect(await htmlPage('/?page=abc', 400)).toContain('page must be a whole number from 1 to 10000');
      expect(await htmlPage('/?topic=llm&topic=rl', 400)).toContain('topic must be given once');
      expect(await htmlPage('/topics/reasoning?page=abc', 400)).toContain(
        'page must be a whole number from 1 to 10000',
      );
      expect(await htmlPage('/topics/reasoning?page=1&page=2', 400)).toContain('page must be given once');
    });

    it('should answer a NUL in the search with a 400 page naming q, not a 500', async () => {
      expect(await htmlPage('/?q=%00', 400)).toContain('q must not contain a NUL character');
      expect(await htmlPage('/?q=a%00b', 400)).toContain('q must not contain a NUL character');
    });

    it('should answer an unknown URL with a 404 page in the site layout, without echoing the path', async () => {
      const html = await htmlPage('/nope/%3Cscript%3E', 404);
      expect(html).toContain('<h1>Not found</h1>');
      expect(html).not.toContain('Cannot GET');
      expect(html).not.toContain('<script');
      expect(await htmlPage('/digests/not-a-uuid', 404)).toContain('<h1>This link is not valid</h1>');
    });

    it('should keep what a refusal says on its page: an unknown feed topic is named', async () => {
      const html = await htmlPage('/feeds/topics/astrology.rss', 404);
      expect(html).toContain('astrology');
      expect(html).not.toContain('There is no page at this address');
    });

    it('should keep JSON errors for /api/ and for clients that ask for JSON or anything', async () => {
      for (const [path, accept] of [
        ['/api/nope', 'text/html'],
        ['/nope', 'application/json'],
        ['/nope', '*/*'],
      ]) {
        const response = await http().get(path).set('accept', accept);
        expect({ path, accept, status: response.status, type: response.headers['content-type'] }).toEqual({
          path,
          accept,
          status: 404,
          type: 'application/json; charset=utf-8',
        });
        expect(response.body).toMatchObject({ statusCode: 404 });
      }
    });
  });

  describe('small things', () => {
    it('should serve a favicon, linked from every page, and redirect /favicon.ico to it', async () => {
      const icon = await http().get('/assets/favicon.svg');
      expect(icon.status).toBe(200);
      expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(String(icon.text || icon.body)).toContain('<svg');
      const ico = await http().get('/favicon.ico');
      expect(ico.status).toBe(301);
      expect(ico.headers.location).toBe('/assets/favicon.svg');
      expect(await page('/')).toContain('<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">');
    });

    it('should hide the weekday field unless the form asks for weekly digests', async () => {
      const css = (await http().get('/assets/paperboy.css')).text;
      expect(css).toContain('form:has(#frequency option[value=weekly]:not(:checked)) .weekday-field{display:none}');
      expect(await page('/subscribe')).toMatch(
        /<div class="weekday-field"><label for="weekday">Weekday of weekly digests<\/label>/,
      );
    });

    it('should say a bad manage link is not valid once, without repeating itself', async () => {
      const html = await page('/manage?id=x&token=y', 404);
      expect(html).toContain('<h1>This link is not valid</h1>');
      expect(html.match(/mistyped/g)).toHaveLength(1);
    });

    it('should list the API in OpenAPI under consistent tags, without the site files', async () => {
      const spec = (await http().get('/api/docs/openapi.json')).body as {
        paths: Record<string, Record<string, { tags?: string[] }>>;
      };
      const tags = new Set(
        Object.values(spec.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? [])),
      );
      expect([...tags].sort()).toEqual(
        [
          'Admin',
          'Digests',
          'Feeds',
          'Health',
          'Metrics',
          'Papers',
          'Subscriptions',
          'Topics',
          'Web pages',
          'Webhooks',
        ].filter((tag) => tags.has(tag)),
      );
      expect([...tags].every((tag) => /^[A-Z][a-z]+( [a-z]+)?$/.test(tag))).toBe(true);
      expect(Object.keys(spec.paths).filter((path) => path.startsWith('/assets') || path === '/favicon.ico')).toEqual(
        [],
      );
      expect(spec.paths['/api/digests/{id}'].get.tags).toEqual(['Digests']);
    });
  });
});
