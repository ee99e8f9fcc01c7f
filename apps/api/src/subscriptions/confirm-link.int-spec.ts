import { signToken } from '@libs/domain';
import { DAY, SECRET, useApi } from '../../../../test/support/api-context';

/** The confirmation link of a pending subscription. */
describe('GET /subscriptions/confirm', () => {
  const ctx = useApi('confirm');
  const { http, rowById, newPendingSubscription: pendingSubscription } = ctx;

  const confirm = (token?: string) => {
    const call = http().get('/subscriptions/confirm');
    return token === undefined ? call : call.query({ token });
  };

  it('should activate a pending subscription once, keep the first activation on a second click', async () => {
    const id = await pendingSubscription('confirm-me@example.org');
    const token = signToken(SECRET, 'confirm', id, new Date());
    const started = new Date();

    const first = await confirm(token);

    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/html/);
    expect(first.text).toContain('Subscription confirmed');
    const activated = await rowById(id);
    expect(activated.status).toBe('active');
    // Activated when the link was clicked, by the api's clock (the test process's, shifted or not).
    expect(activated.activatedAt?.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);

    const second = await confirm(token);

    expect(second.status).toBe(200);
    expect(second.text).toContain('Subscription confirmed');
    const after = await rowById(id);
    expect(after.status).toBe('active');
    expect(after.activatedAt?.toISOString()).toBe(activated.activatedAt?.toISOString());
  });

  it('should not revive a subscription cancelled before its confirmation link was clicked', async () => {
    const id = await pendingSubscription('changed-mind@example.org');
    await ctx.sql.query(`UPDATE subscriptions SET status = 'unsubscribed', "unsubscribedAt" = now() WHERE id = $1`, [id]);

    const response = await confirm(signToken(SECRET, 'confirm', id, new Date()));

    expect(response.status).toBe(200);
    expect(response.text).toContain('This subscription was cancelled');
    expect((await rowById(id)).status).toBe('unsubscribed');
  });

  it('should accept a confirmation link issued six days ago', async () => {
    const id = await pendingSubscription('confirm-late@example.org');

    const response = await confirm(signToken(SECRET, 'confirm', id, new Date(Date.now() - 6 * DAY)));

    expect(response.status).toBe(200);
    expect((await rowById(id)).status).toBe('active');
  });

  it('should answer 404 "not valid" and change nothing for a wrong-purpose, tampered, expired or missing token', async () => {
    const id = await pendingSubscription('confirm-never@example.org');
    const otherId = await pendingSubscription('confirm-other@example.org');
    const now = new Date();
    const genuine = signToken(SECRET, 'confirm', id, now);
    const [subject, iat, signature] = genuine.split('.');
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const bad: Record<string, string | undefined> = {
      'an unsubscribe token': signToken(SECRET, 'unsubscribe', id, now),
      'a tampered signature': `${subject}.${iat}.${flipped}`,
      'another subject under the same signature': `${otherId}.${iat}.${signature}`,
      'a later issue time under the same signature': `${subject}.${(parseInt(iat, 36) + 1).toString(36)}.${signature}`,
      'a token signed with another secret': signToken('another-secret-another-secret', 'confirm', id, now),
      'a token older than 7 days': signToken(SECRET, 'confirm', id, new Date(now.getTime() - 7 * DAY - 60_000)),
      'an empty token': '',
      'a missing token': undefined,
    };

    for (const [label, token] of Object.entries(bad)) {
      const response = await confirm(token);
      expect({ label, status: response.status }).toEqual({ label, status: 404 });
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('This link is not valid');
    }
    for (const row of [await rowById(id), await rowById(otherId)]) {
      expect(row.status).toBe('pending');
      expect(row.activatedAt).toBeNull();
    }
  });
});
