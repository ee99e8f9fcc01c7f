import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import { hasSearchTerms, signToken, toWebSearchQuery } from '@libs/domain';
import { ApiApp, insertPapers, startApiApp } from '../../../test/support/api-app';
import { AppProcess, startApp, waitFor } from '../../../test/support/processes';
import { freePort } from '../../../test/support/tcp-proxy';

const SECRET = 'http-input-secret-http-input';
const VICTIM = 'nul.reader@example.org';

interface Refusal {
  message: string | string[];
}

/** What reaches the api over HTTP that it must refuse (issue 15 §4), with real Postgres and Redis. */
describe('api HTTP input', () => {
  let api: ApiApp;
  let notify: Queue;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    api = await startApiApp(
      'input',
      { APP_SECRET: SECRET, PUBLIC_URL: 'https://papers.example.org', SUBSCRIBE_RATE_LIMIT: '10000' },
      { port },
    );
    notify = api.queue('notify');
  });

  afterAll(() => api?.close());

  const subscriptions = async (): Promise<number> =>
    Number((await api.sql.query<{ n: string }>(`SELECT count(*) AS n FROM subscriptions`)).rows[0].n);
  const confirmations = async (): Promise<number> =>
    (await notify.getJobs(['waiting', 'delayed', 'prioritized'])).filter((job) => job.name === 'ConfirmationSend')
      .length;
  const messages = (body: unknown): string[] => [(body as Refusal).message].flat();
  /** A feed-only subscription (active at once) and its manage link's token, for PATCH. */
  const managed = async (): Promise<{ id: string; token: string }> => {
    const created = await api
      .http()
      .post('/api/subscriptions')
      .send({ topics: ['llm'] });
    expect(created.status).toBe(202);
    const manage = new URL((created.body as { manageUrl: string }).manageUrl);
    return { id: manage.searchParams.get('id') as string, token: manage.searchParams.get('token') as string };
  };
  const patch = (subscription: { id: string; token: string }) =>
    api.http().patch(`/api/subscriptions/${subscription.id}?token=${encodeURIComponent(subscription.token)}`);

  describe('NUL characters', () => {
    it.each(['/api/papers?q=a%00b', '/?q=a%00b', '/feeds/papers.rss?q=a%00b', '/feeds/topics/llm.atom?q=a%00b'])(
      'should answer 400 naming q for %s',
      async (path) => {
        const response = await api.http().get(path).set('accept', 'application/json');
        expect(response.status).toBe(400);
        expect(response.text).toContain('q must not contain a NUL character');
      },
    );

    it('should refuse a keyword with NUL in the API and the web form, saving and sending nothing', async () => {
      const before = { subscriptions: await subscriptions(), confirmations: await confirmations() };
      const created = await api
        .http()
        .post('/api/subscriptions')
        .send({ email: VICTIM, keywords: ['ab\u0000cd'] });
      expect(created.status).toBe(400);
      expect(messages(created.body)).toEqual(['keywords[0] must not contain a NUL character']);

      const edited = await patch(await managed()).send({ keywords: ['llm', 'ab\u0000cd'] });
      expect(edited.status).toBe(400);
      expect(messages(edited.body)).toEqual(['keywords[1] must not contain a NUL character']);

      for (const form of [`email=${VICTIM}&keywords=ab%00cd`, 'intent=preview&keywords=ab%00cd&topics=llm']) {
        const posted = await api.http().post('/subscribe').type('form').set('accept', 'application/json').send(form);
        expect(posted.status).toBe(400);
        expect(posted.text).toContain('keywords must not contain a NUL character');
      }
      // The one feed-only subscription made for the PATCH, nothing else.
      expect(await subscriptions()).toBe(before.subscriptions + 1);
      expect(await confirmations()).toBe(before.confirmations);
    });
  });

  describe('the log of an api process', () => {
    let child: AppProcess;
    let childPort: number;

    beforeAll(async () => {
      childPort = await freePort();
      child = startApp('api', { ...api.env, NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: String(childPort) });
      await waitFor('the api process to answer', async () =>
        fetch(`http://127.0.0.1:${childPort}/health/live`).then(
          (response) => response.ok,
          () => false,
        ),
      );
    }, 60_000);

    afterAll(() => child?.stop());

    it('should answer requests with NUL in 400s and log none of their addresses or webhooks', async () => {
      const webhook = 'https://hooks.slack.com/services/T000/B000/nul-secret-webhook';
      const answers = await Promise.all([
        fetch(`http://127.0.0.1:${childPort}/api/papers?q=${encodeURIComponent(`${VICTIM}\u0000`)}`),
        fetch(`http://127.0.0.1:${childPort}/api/subscriptions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: VICTIM, slackWebhookUrl: webhook, keywords: ['ab\u0000cd'] }),
        }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([400, 400]);
      // Each request is logged once answered: wait for both lines, then read the whole output.
      await waitFor('both requests in the log', async () =>
        Promise.resolve(
          child
            .output()
            .split('\n')
            .filter((line) => line.includes('"statusCode":400')).length >= 2,
        ),
      );
      expect(child.output()).not.toContain(VICTIM);
      expect(child.output()).not.toContain('nul-secret-webhook');
    });
  });

  describe('deeply nested JSON', () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    it('should answer 400 naming the field, for a new subscription and an edit', async () => {
      const created = await api
        .http()
        .post('/api/subscriptions')
        .type('json')
        .send(`{"topics":${nested(2000)}}`);
      expect(created.status).toBe(400);
      expect(messages(created.body)).toEqual(['topics is nested too deeply (at most 8 levels)']);

      const edited = await patch(await managed())
        .type('json')
        .send(`{"keywords":${nested(2000)}}`);
      expect(edited.status).toBe(400);
      expect(messages(edited.body)).toEqual(['keywords is nested too deeply (at most 8 levels)']);

      const whole = await api.http().post('/api/subscriptions').type('json').send(nested(2000));
      expect(whole.status).toBe(400);
      expect(messages(whole.body)).toEqual(['the body is nested too deeply (at most 8 levels)']);
    });
  });

  describe('bodies of another type', () => {
    it.each([
      ['text/plain', '{"email":"plain@example.org"}'],
      ['application/xml', '<subscription><email>xml@example.org</email></subscription>'],
      ['application/x-www-form-urlencoded', 'email=cross.site%40example.org&topics=llm'],
    ])('should answer 415 to a %s body on the JSON API, saving and sending nothing', async (type, body) => {
      const before = { subscriptions: await subscriptions(), confirmations: await confirmations() };
      const response = await api.http().post('/api/subscriptions').set('content-type', type).send(body);
      expect(response.status).toBe(415);
      expect(messages(response.body)).toEqual(['The request body must be JSON (Content-Type: application/json)']);
      expect(await subscriptions()).toBe(before.subscriptions);
      expect(await confirmations()).toBe(before.confirmations);
    });

    it('should answer 415 to an edit that is not JSON', async () => {
      const response = await patch(await managed())
        .set('content-type', 'text/plain')
        .send('{"sendHour":9}');
      expect(response.status).toBe(415);
    });

    it.each([
      ['another origin', { origin: 'https://evil.example' }],
      ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
      ['a sibling site', { origin: 'https://evil.example.org', 'sec-fetch-site': 'same-site' }],
    ])('should refuse the web form posted from %s, sending nothing', async (_from, headers) => {
      const before = await confirmations();
      const response = await api
        .http()
        .post('/subscribe')
        .set(headers)
        .type('form')
        .send('email=cross.site%40example.org&topics=llm');
      expect(response.status).toBe(403);
      expect(response.text).toContain('Forms from other sites cannot subscribe');
      expect(await confirmations()).toBe(before);
    });

    it('should refuse the manage, profile and "delete my data" forms posted from another site, changing nothing', async () => {
      const { id, token } = await managed();
      const status = async (): Promise<string | undefined> =>
        (await api.sql.query<{ status: string }>('SELECT status FROM subscriptions WHERE id = $1', [id])).rows[0]
          ?.status;
      const query = `id=${id}&token=${encodeURIComponent(token)}`;
      const crossSite = { 'sec-fetch-site': 'cross-site' };
      for (const [path, form] of [
        [`/manage?${query}`, 'intent=erase'],
        [`/profile?${query}`, 'intent=reset-confirmed'],
        [`/manage?${query}`, 'topics=robotics'],
      ]) {
        const response = await api.http().post(path).set(crossSite).type('form').send(form);
        expect(response.status).toBe(403);
        expect(response.text).toContain('Forms from other sites cannot change a subscription');
      }
      const unsubscribe = `/unsubscribe?token=${encodeURIComponent(signToken(SECRET, 'unsubscribe', id, api.now()))}`;
      const erase = await api.http().post(unsubscribe).set(crossSite).type('form').send('erase=true');
      expect(erase.status).toBe(403);
      expect(await status()).toBe('active');

      // RFC 8058 one-click stays open to anyone holding the link; the page's own erase button still works.
      const oneClick = await api
        .http()
        .post(unsubscribe)
        .set(crossSite)
        .type('form')
        .send('List-Unsubscribe=One-Click');
      expect(oneClick.status).toBe(200);
      expect(await status()).toBe('unsubscribed');
      const ours = await api
        .http()
        .post(unsubscribe)
        .set({ origin: 'null', 'sec-fetch-site': 'same-origin' })
        .type('form')
        .send('erase=true');
      expect(ours.status).toBe(200);
      expect(await status()).toBeUndefined();
    });

    it.each([
      ['Chromium (Origin null under no-referrer)', { origin: 'null', 'sec-fetch-site': 'same-origin' }],
      ['an older browser', { origin: 'https://papers.example.org' }],
      ['a script', {}],
    ])('should still take the web form, urlencoded, on its own route from %s', async (_from, headers) => {
      const before = await confirmations();
      const response = await api
        .http()
        .post('/subscribe')
        .set(headers)
        .type('form')
        .send(`email=${encodeURIComponent(`form.${before}@example.org`)}&topics=llm`);
      expect(response.status).toBe(200);
      expect(await confirmations()).toBe(before + 1);
    });
  });

  describe('bodies with a corrupt Content-Encoding', () => {
    const json = Buffer.from(JSON.stringify({ email: 'zipped@example.org', topics: ['llm'] }));
    // superagent would JSON-encode a Buffer sent as application/json: the bytes go as they are.
    const asBytes = (body: unknown): string => body as string;
    it.each([
      ['gzip', 'invalid gzip encoding', Buffer.concat([gzipSync(json).subarray(0, 10), Buffer.from('not gzip')])],
      ['br', 'invalid br encoding', Buffer.from('this is no brotli stream at all')],
      ['deflate', 'invalid deflate encoding', json],
    ])('should answer 400 naming the %s encoding, saving nothing', async (encoding, problem, body) => {
      const before = await subscriptions();
      const response = await api
        .http()
        .post('/api/subscriptions')
        .set('content-type', 'application/json')
        .set('content-encoding', encoding)
        .serialize(asBytes)
        .send(body);
      expect(response.status).toBe(400);
      expect(messages(response.body)).toEqual([`request body: ${problem}`]);
      expect(await subscriptions()).toBe(before);
    });

    it('should still read a well-formed gzip body', async () => {
      const response = await api
        .http()
        .post('/api/subscriptions')
        .set('content-type', 'application/json')
        .set('content-encoding', 'gzip')
        .serialize(asBytes)
        .send(gzipSync(Buffer.from(JSON.stringify({ topics: ['llm'] }))));
      expect(response.status).toBe(202);
    });
  });

  describe('bodies over the limit', () => {
    const TOTAL = 64 * 1024 * 1024;

    /** Streams up to TOTAL bytes of JSON whitespace until the api answers; how much was written by then. */
    const upload = (headers: Record<string, string>): Promise<{ status: number; body: string; sent: number }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/subscriptions', headers });
        const chunk = Buffer.alloc(64 * 1024, ' ');
        let written = 0;
        let answered = false;
        req.on('response', (res) => {
          answered = true;
          const sent = written;
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (data: string) => (body += data));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body, sent });
          });
        });
        req.on('error', (error) => {
          if (!answered) {
            reject(error);
          }
        });
        const pump = (): void => {
          while (!answered && written < TOTAL) {
            written += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          if (!answered) {
            req.end();
          }
        };
        pump();
      });

    it.each([
      ['chunked', { 'transfer-encoding': 'chunked' }],
      ['with a declared length', { 'content-length': String(TOTAL) }],
    ])('should answer 413 to a body sent %s before the client is done sending it', async (_how, headers) => {
      const answer = await upload({ 'content-type': 'application/json', ...headers });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual(
        expect.objectContaining({ message: 'The request body is larger than 16 KB' }),
      );
      // Sockets buffer a few MB on the way; read to the end, the answer would come after all 64 MB.
      expect(answer.sent).toBeLessThan(TOTAL / 2);
    });
  });

  describe('validation', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('should refuse a %s field by name', async (key) => {
      const before = await subscriptions();
      const response = await api
        .http()
        .post('/api/subscriptions')
        .type('json')
        .send(`{"topics":["llm"],"${key}":{"isAdmin":true}}`);
      expect(response.status).toBe(400);
      expect(messages(response.body)).toEqual([`property ${key} should not exist`]);
      expect(await subscriptions()).toBe(before);
    });

    it('should refuse a keyword of stop words as search refuses it, with the same words', async () => {
      const search = await api.http().get('/api/papers?q=the');
      expect(search.status).toBe(400);
      expect(messages(search.body)).toEqual([
        'q "the" has no words to search for (stop words such as "the" and punctuation are ignored)',
      ]);
      const created = await api
        .http()
        .post('/api/subscriptions')
        .send({ keywords: ['agents', 'the'] });
      expect(created.status).toBe(400);
      expect(messages(created.body)).toEqual([
        'keywords[1] "the" has no words to search for (stop words such as "the" and punctuation are ignored)',
      ]);
      const edited = await patch(await managed()).send({ keywords: ['"of the"'] });
      expect(edited.status).toBe(400);
      expect(messages(edited.body)[0]).toMatch(/^keywords\[0\] "\\"of the\\"" has no words to search for/);
      expect(
        (
          await api
            .http()
            .post('/api/subscriptions')
            .send({ keywords: ['the agents'] })
        ).status,
      ).toBe(202);
    });

    it('should read stop words as Postgres does, so a keyword it accepts matches something', async () => {
      const texts = ['the', 'THE of', '"the"', "don't", '... !!', 'the agents', 'state-of-the-art', '-survey', 'a_b'];
      const { rows } = await api.sql.query<{ terms: number }>(
        `SELECT numnode(websearch_to_tsquery('english', t))::int AS terms FROM unnest($1::text[]) WITH ORDINALITY AS q(t, n) ORDER BY n`,
        [texts.map(toWebSearchQuery)],
      );
      expect(texts.map(hasSearchTerms)).toEqual(rows.map((row) => row.terms > 0));
    });

    it('should give one clear message per field', async () => {
      const response = await api
        .http()
        .post('/api/subscriptions')
        .send({ sendHour: '8', weekday: '1', maxPapers: 'x', topics: 'llm', keywords: [5], email: 5 });
      expect(response.status).toBe(400);
      expect(messages(response.body).sort()).toEqual(
        [
          'sendHour must be an integer hour, 0 to 23',
          'weekday must be an integer number',
          'maxPapers must be an integer number',
          'topics must be an array',
          'each value in keywords must be a string',
          'email must be an email address',
        ].sort(),
      );
      const range = await api.http().post('/api/subscriptions').send({ sendHour: 24 });
      expect(messages(range.body)).toEqual(['sendHour must not be greater than 23']);
    });
  });

  describe('links from sources', () => {
    let digestId: string;

    beforeAll(async () => {
      const [hostile, plain] = await insertPapers(api.sql, [
        {
          title: 'A paper whose source sent hostile links',
          abstract: 'Links that run script when clicked.',
          listedAt: '2026-11-27T10:00:00Z',
          arxivId: '2611.00001',
          url: 'javascript:alert(document.cookie)',
          codeUrl: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
          topics: [{ topic: 'llm', score: 0.9, evidence: ['language model'] }],
        },
        {
          title: 'A paper without an arXiv id and a vbscript link',
          abstract: 'Another one.',
          listedAt: '2026-11-27T11:00:00Z',
          url: 'vbscript:msgbox(1)',
          codeUrl: ' javascript:alert(1)',
          topics: [{ topic: 'llm', score: 0.8, evidence: ['language model'] }],
        },
      ]);
      const { rows } = await api.sql.query<{ id: string }>(
        `INSERT INTO subscriptions (email, status, topics, frequency, timezone, "sendHour", "activatedAt")
         VALUES ('links@example.org', 'active', '{llm}', 'daily', 'UTC', 8, now()) RETURNING id`,
      );
      const subscriptionId = rows[0].id;
      const digest = await api.sql.query<{ id: string }>(
        `INSERT INTO digests ("subscriptionId", "periodKey", "dueAt", status, "paperCount", "builtAt", "createdAt")
         VALUES ($1, '2026-11-27', '2026-11-27T08:00:00Z', 'sent', 2, now(), now()) RETURNING id`,
        [subscriptionId],
      );
      digestId = digest.rows[0].id;
      for (const [rank, paperId] of [hostile, plain].entries()) {
        await api.sql.query(
          `INSERT INTO digest_papers ("digestId", "paperId", "subscriptionId", rank) VALUES ($1, $2, $3, $4)`,
          [digestId, paperId, subscriptionId, rank + 1],
        );
      }
    });

    it('should give only http(s) links in the digest JSON, the search API and the feeds', async () => {
      const digest = await api
        .http()
        .get(`/api/digests/${digestId}?token=${encodeURIComponent(signToken(SECRET, 'digest', digestId, api.now()))}`);
      expect(digest.status).toBe(200);
      const papers = (digest.body as { papers: { title: string; url: string; codeUrl: string | null }[] }).papers;
      expect(papers.map(({ url, codeUrl }) => ({ url, codeUrl }))).toEqual([
        { url: 'https://arxiv.org/abs/2611.00001', codeUrl: null },
        { url: '', codeUrl: null },
      ]);

      const search = await api.http().get('/api/papers?q=hostile');
      expect((search.body as { items: { url: string | null }[] }).items.map((item) => item.url)).toEqual([
        'https://arxiv.org/abs/2611.00001',
      ]);

      for (const path of ['/feeds/papers.rss', '/feeds/papers.atom', '/feeds/papers.json']) {
        const feed = await api
          .http()
          .get(path)
          .buffer(true)
          .parse((res, done) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => done(null, text));
          });
        expect(feed.status).toBe(200);
        const text = feed.body as string;
        expect(text).toContain('A paper whose source sent hostile links');
        expect(text).not.toMatch(/javascript:|vbscript:|data:text/i);
        expect(text).toContain('https://arxiv.org/abs/2611.00001');
      }
    });
  });
});
