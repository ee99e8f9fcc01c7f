import { signToken } from '@libs/domain';
import { DAY, PUBLIC_URL, SECRET, useApi } from '../../../../test/support/api-context';

/** One-click unsubscribe links (RFC 8058). */
describe('/unsubscribe (RFC 8058 one-click)', () => {
  const ctx = useApi('unsubscribe');
  const { http, subscribe, rowById, newPendingSubscription: pendingSubscription } = ctx;

  const ONE_CLICK = 'List-Unsubscribe=One-Click';
  const postUnsubscribe = (token: string | undefined, body: string = ONE_CLICK) => {
    const call = http().post('/unsubscribe');
    return (token === undefined ? call : call.query({ token }))
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(body);
  };

  it('should show a page whose form POSTs to the same URL, without unsubscribing on GET', async () => {
    const id = await pendingSubscription('unsub-page@example.org');
    const token = signToken(SECRET, 'unsubscribe', id, new Date());
    const path = `/unsubscribe?token=${encodeURIComponent(token)}`;

    const response = await http().get(path);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const form = /<form\b[^>]*>/i.exec(response.text)?.[0] ?? '';
    expect(form).toMatch(/\bmethod="post"/i);
    // No action: the form posts back to the page's own URL, token included, wherever the api is mounted.
    expect(form).not.toMatch(/\baction=/i);
    expect(path).toContain('token=');
    expect((await rowById(id)).status).toBe('pending');
  });

  it('should unsubscribe on POST with the token in the URL, answer 200 without redirect, and keep the first time', async () => {
    const response = await subscribe({ slackWebhookUrl: 'https://hooks.slack.com/services/T0002/B0002/unsub' });
    const { id, unsubscribeUrl } = response.body as { id: string; unsubscribeUrl: string };
    const path = unsubscribeUrl.slice(PUBLIC_URL.length);
    const token = new URL(unsubscribeUrl).searchParams.get('token') as string;

    // The token in the body only, or a token of another purpose, unsubscribes nobody.
    const bodyOnly = await postUnsubscribe(undefined, `token=${encodeURIComponent(token)}&${ONE_CLICK}`);
    expect(bodyOnly.status).toBe(404);
    expect(bodyOnly.text).toContain('This link is not valid');
    const wrongPurpose = await postUnsubscribe(signToken(SECRET, 'confirm', id, new Date()));
    expect(wrongPurpose.status).toBe(404);
    expect((await rowById(id)).status).toBe('active');

    const started = Date.now();
    const first = await http().post(path).set('content-type', 'application/x-www-form-urlencoded').send(ONE_CLICK);

    expect(first.status).toBe(200);
    expect(first.headers.location).toBeUndefined();
    expect(first.headers['content-type']).toMatch(/^text\/html/);
    expect(first.text).toContain('You are unsubscribed');
    const unsubscribed = await rowById(id);
    expect(unsubscribed.status).toBe('unsubscribed');
    expect(unsubscribed.unsubscribedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);

    const again = await postUnsubscribe(token);

    expect(again.status).toBe(200);
    expect(again.headers.location).toBeUndefined();
    const after = await rowById(id);
    expect(after.status).toBe('unsubscribed');
    expect(after.unsubscribedAt?.toISOString()).toBe(unsubscribed.unsubscribedAt?.toISOString());
  });

  it('should honour an unsubscribe link from a year-old email (unsubscribe links never expire)', async () => {
    const id = await pendingSubscription('unsub-old@example.org');

    const response = await postUnsubscribe(signToken(SECRET, 'unsubscribe', id, new Date(Date.now() - 365 * DAY)));

    expect(response.status).toBe(200);
    expect((await rowById(id)).status).toBe('unsubscribed');
  });

  it('should answer 404 on GET and POST for a confirm-purpose, tampered or missing token', async () => {
    const id = await pendingSubscription('unsub-invalid@example.org');
    const genuine = signToken(SECRET, 'unsubscribe', id, new Date());
    const bad = [
      signToken(SECRET, 'confirm', id, new Date()),
      `${genuine.slice(0, -1)}${genuine.endsWith('A') ? 'B' : 'A'}`,
    ];

    for (const token of bad) {
      const page = await http().get('/unsubscribe').query({ token });
      expect(page.status).toBe(404);
      expect(page.text).toContain('This link is not valid');
      expect(page.text).not.toContain('<form');
      expect((await postUnsubscribe(token)).status).toBe(404);
    }
    expect((await http().get('/unsubscribe')).status).toBe(404);
    expect((await postUnsubscribe(undefined)).status).toBe(404);
    const row = await rowById(id);
    expect(row.status).toBe('pending');
    expect(row.unsubscribedAt).toBeNull();
  });
});
