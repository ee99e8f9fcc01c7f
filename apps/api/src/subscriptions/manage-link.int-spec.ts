import { Job } from 'bullmq';
import { emailChangeConfirmUrl, SecretBox, signToken } from '@libs/domain';
import { PUBLIC_URL, SECRET, useApi } from '../../../../test/support/api-context';

/** The manage link: read, change and cancel a subscription. */
describe('/api/subscriptions/:id (manage link)', () => {
  const ctx = useApi('manage');
  const { http, subscribe, rowById, messagesOf, allJobs } = ctx;

  const slackOnly = async (): Promise<{ id: string; manageUrl: string }> => {
    const response = await subscribe({
      slackWebhookUrl: 'https://hooks.slack.com/services/T9/B9/manage-secret',
      topics: ['llm'],
      keywords: ['agents'],
      sendHour: 6,
    });
    expect(response.status).toBe(202);
    return response.body as { id: string; manageUrl: string };
  };
  /** The manage API path behind a manage link (the link itself opens the web page). */
  const pathOf = (url: string): string => {
    const link = new URL(url);
    return `/api/subscriptions/${link.searchParams.get('id')}?token=${encodeURIComponent(link.searchParams.get('token') as string)}`;
  };

  it('should show the subscription to its manage link, without the webhook secret', async () => {
    const { id, manageUrl } = await slackOnly();
    expect(manageUrl.startsWith(`${PUBLIC_URL}/manage?id=${id}&token=`)).toBe(true);

    const response = await http().get(pathOf(manageUrl));

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id,
      status: 'active',
      email: null,
      slack: { host: 'hooks.slack.com', disabledReason: null },
      topics: ['llm'],
      keywords: ['agents'],
      frequency: 'daily',
      sendHour: 6,
      maxPapers: 20,
    });
    expect(JSON.stringify(response.body)).not.toContain('manage-secret');
  });

  it('should change only the fields sent, and refuse bad values naming them', async () => {
    const { id, manageUrl } = await slackOnly();

    const changed = await http().patch(pathOf(manageUrl)).send({ topics: ['rl', 'rl'], frequency: 'weekly', weekday: 5 });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ topics: ['rl'], keywords: ['agents'], frequency: 'weekly', weekday: 5, sendHour: 6 });
    expect(await rowById(id)).toMatchObject({ topics: ['rl'], frequency: 'weekly', weekday: 5, sendHour: 6 });

    const bad = await http().patch(pathOf(manageUrl)).send({ timezone: 'Mars/Base', sendHour: null });
    expect(bad.status).toBe(400);
    expect(messagesOf(bad).some((message) => /timezone/.test(message))).toBe(true);
    expect(messagesOf(bad).some((message) => /sendHour/.test(message))).toBe(true);
    expect((await rowById(id)).sendHour).toBe(6);
  });

  it('should let a subscriber replace a Slack webhook that was disabled (channel archived) and have it enabled again', async () => {
    const { id, manageUrl } = await slackOnly();
    await ctx.sql.query(
      `UPDATE subscriptions SET "slackDisabledAt" = now(), "slackDisabledReason" = 'HTTP 404 channel_is_archived' WHERE id = $1`,
      [id],
    );

    const changed = await http().patch(pathOf(manageUrl)).send({ slackWebhookUrl: 'https://hooks.slack.com/services/T9/B9/new-secret' });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ slack: { host: 'hooks.slack.com', disabledReason: null } });
    expect(JSON.stringify(changed.body)).not.toContain('new-secret');
    const { rows } = await ctx.sql.query<{ slackWebhookUrl: string; slackDisabledAt: Date | null }>(
      `SELECT "slackWebhookUrl", "slackDisabledAt" FROM subscriptions WHERE id = $1`,
      [id],
    );
    // Sealed as at subscribe time: the stored value is not the URL, and opens to it.
    expect(rows[0].slackWebhookUrl).not.toContain('new-secret');
    expect(new SecretBox(SECRET).open(rows[0].slackWebhookUrl)).toBe('https://hooks.slack.com/services/T9/B9/new-secret');
    expect(rows[0].slackDisabledAt).toBeNull();

    // The subscribe rules hold: only Slack's own webhooks (ALLOW_PRIVATE_TARGETS is off).
    const elsewhere = await http().patch(pathOf(manageUrl)).send({ slackWebhookUrl: 'https://hooks.slack.com.evil.example/services/x' });
    expect(elsewhere.status).toBe(400);
    expect(messagesOf(elsewhere).join(' ')).toMatch(/slackWebhookUrl/);

    const removed = await http().patch(pathOf(manageUrl)).send({ slackWebhookUrl: null });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ slack: null });
    expect((await rowById(id)).slackWebhookUrl).toBeNull();
  });

  it('should send a new address a confirmation link, keep the confirmed one until it is clicked, then switch with a clean bounce record', async () => {
    const { id, manageUrl } = await slackOnly();
    await ctx.sql.query(`UPDATE subscriptions SET email = 'old@example.org', "hardBounces" = 2, "emailSuppressedAt" = now() WHERE id = $1`, [id]);

    const changed = await http().patch(pathOf(manageUrl)).send({ email: ' New@Example.org ' });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ email: 'old@example.org', pendingEmail: 'new@example.org', emailSuppressed: true });
    const confirmations = async (): Promise<Job[]> =>
      (await allJobs()).filter((job) => job.name === 'ConfirmationSend' && (job.data as { subscriptionId: string }).subscriptionId === id);
    const jobs = await confirmations();
    expect(jobs).toHaveLength(1);
    expect(Object.keys(jobs[0].data as object).sort()).toEqual(['emailRequestedAt', 'subscriptionId']);
    expect(jobs[0].data).toMatchObject({ subscriptionId: id });

    // A link for another address (an earlier change, say) confirms nothing.
    const wrong = new URL(emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, 'other@example.org', new Date()));
    expect((await http().get(`${wrong.pathname}${wrong.search}`)).status).toBe(404);
    expect(await rowById(id)).toMatchObject({ email: 'old@example.org' });

    const link = new URL(emailChangeConfirmUrl(PUBLIC_URL, SECRET, id, 'new@example.org', new Date()));
    const confirmed = await http().get(`${link.pathname}${link.search}`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Address confirmed');
    const { rows } = await ctx.sql.query(
      `SELECT email, "pendingEmail", "hardBounces", "emailSuppressedAt", status FROM subscriptions WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ email: 'new@example.org', pendingEmail: null, hardBounces: 0, emailSuppressedAt: null, status: 'active' });
    // A second click shows the same page.
    expect((await http().get(`${link.pathname}${link.search}`)).status).toBe(200);

    // The current address again cancels nothing and sends nothing; null stops email.
    expect((await http().patch(pathOf(manageUrl)).send({ email: 'new@example.org' })).body).toMatchObject({ pendingEmail: null });
    expect(await confirmations()).toHaveLength(1);
    const removed = await http().patch(pathOf(manageUrl)).send({ email: null });
    expect(removed.body).toMatchObject({ email: null, pendingEmail: null });

    const bad = await http().patch(pathOf(manageUrl)).send({ email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(messagesOf(bad)).toContain('email must be an email address');
  });

  it('should answer 404 for a link of another purpose, another subscription or a cancelled one', async () => {
    const { id, manageUrl } = await slackOnly();
    const other = await slackOnly();
    const token = new URL(manageUrl).searchParams.get('token') as string;

    expect((await http().get(`/api/subscriptions/${other.id}`).query({ token })).status).toBe(404);
    expect((await http().get(`/api/subscriptions/${id}`).query({ token: signToken(SECRET, 'unsubscribe', id, new Date()) })).status).toBe(404);
    expect((await http().get(`/api/subscriptions/${id}`)).status).toBe(404);
    expect((await http().get('/api/subscriptions/not-a-uuid').query({ token })).status).toBe(400);
    await ctx.sql.query(`UPDATE subscriptions SET status = 'unsubscribed' WHERE id = $1`, [id]);
    expect((await http().patch(pathOf(manageUrl)).send({ topics: ['rl'] })).status).toBe(404);
  });

  it('should unsubscribe at once on DELETE through the manage link, idempotently, and refuse other tokens', async () => {
    const { id, manageUrl } = await slackOnly();
    const unsubscribeToken = signToken(SECRET, 'unsubscribe', id, new Date());

    expect((await http().delete(`/api/subscriptions/${id}`).query({ token: unsubscribeToken })).status).toBe(404);
    expect((await http().delete(`/api/subscriptions/${id}`)).status).toBe(404);
    expect((await rowById(id)).status).toBe('active');

    const deleted = await http().delete(pathOf(manageUrl));
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const row = await rowById(id);
    expect(row).toMatchObject({ status: 'unsubscribed' });
    expect((await http().delete(pathOf(manageUrl))).status).toBe(204);
    expect((await http().get(pathOf(manageUrl))).body).toMatchObject({ id, status: 'unsubscribed' });
  });
});
