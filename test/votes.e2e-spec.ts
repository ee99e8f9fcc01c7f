import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Settings, SettingsModule } from '@libs/config';
import { DatabaseModule, SubscriptionRepository } from '@libs/database';
import { SecretBox, signToken, verifyVoteToken, VoteClaim } from '@libs/domain';
import { HttpModule } from '@libs/http';
import { MailModule } from '@libs/mail';
import { QueuesModule } from '@libs/queues';
import { EmailChannel } from '../apps/notifier/src/channels/email.channel';
import { SlackChannel } from '../apps/notifier/src/channels/slack.channel';
import { WebhookThrottle } from '../apps/notifier/src/channels/webhook-throttle';
import { DeliveryService } from '../apps/notifier/src/delivery.service';
import { DigestBuilderService } from '../apps/notifier/src/digest-builder.service';
import { DigestMatcher } from '../apps/notifier/src/digest-matcher';
import { DigestPlannerService } from '../apps/notifier/src/digest-planner.service';
import { ApiApp, startApiApp } from './support/api-app';
import { decodeHtml } from './support/feeds-context';
import { SmtpSink, startSmtpSink } from './support/smtp-sink';
import { SlackSink, startSlackSink } from './support/stand-ins';

const SECRET = 'votes-e2e-secret-votes-e2e-secret-01';
const PUBLIC_URL = 'http://127.0.0.1';
const HOUR = 3600_000;
/** The digests' send time: 08:00 UTC; the papers were listed the night before. */
const AT = new Date('2026-11-28T12:00:00Z');

interface StoredVotes {
  items: { paper: { id: string; title: string }; vote: string; source: string }[];
}

/**
 * Voting from a digest, end to end: the notifier builds and sends a subscriber's first digest by email and
 * Slack (real SMTP server, Slack stand-in); every paper carries 👍 / 👎 links; fetching them (as mail scanners
 * and Slack's unfurler do) records nothing; the page's button records the vote through the api (real Postgres
 * and Redis), and the API lists it.
 */
describe('votes from a digest (notifier, api, SMTP, Slack)', () => {
  let smtp: SmtpSink;
  let slack: SlackSink;
  let api: ApiApp;
  let notifier: INestApplicationContext;
  let subscriptionId: string;
  let papers: { id: string; title: string }[];
  /** The explore slot of the digest (its votes are kept apart). */
  let explorePaper: string;

  beforeAll(async () => {
    [smtp, slack] = await Promise.all([startSmtpSink(), startSlackSink()]);
    api = await startApiApp('votes-e2e', {
      APP_SECRET: SECRET,
      PUBLIC_URL,
      SMTP_URL: smtp.url,
      ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'silent',
    });
    // The notifier's own services on the api's database and queues (startApiApp set the environment).
    const moduleRef = await Test.createTestingModule({
      imports: [
        SettingsModule,
        DatabaseModule,
        QueuesModule,
        MailModule,
        HttpModule.registerAsync({
          inject: [Settings],
          useFactory: () => ({ allowPrivateTargets: true, userAgent: 'test' }),
        }),
      ],
      providers: [
        DigestPlannerService,
        DigestBuilderService,
        DigestMatcher,
        DeliveryService,
        EmailChannel,
        SlackChannel,
        WebhookThrottle,
      ],
    }).compile();
    moduleRef.useLogger(false);
    notifier = await moduleRef.init();

    papers = [];
    for (const [index, title] of [
      'Sparse attention for long documents',
      'A popular explore pick',
      'Robots that fold laundry',
    ].entries()) {
      const { rows } = await api.sql.query<{ id: string }>(
        `INSERT INTO papers ("arxivId", title, abstract, authors, upvotes, "listedAt", "readyAt")
         VALUES ($1, $2, $3, '{"A. Author"}', $4, $5, $5) RETURNING id`,
        [`2611.0700${index}`, title, `An abstract about ${title}.`, 30 - index, new Date(AT.getTime() - 6 * HOUR)],
      );
      await api.sql.query(`INSERT INTO paper_topics ("paperId", topic, score, evidence) VALUES ($1, 'llm', 3, '{}')`, [
        rows[0].id,
      ]);
      papers.push({ id: rows[0].id, title });
    }
    explorePaper = papers[1].id;
    // Day one: a subscription that became active yesterday, by email and Slack.
    const subscription = await notifier.get(SubscriptionRepository).create({
      email: 'reader@example.org',
      slackWebhookUrl: new SecretBox(SECRET).seal(slack.webhookUrl),
      excludeTopics: [],
      minUpvotes: 0,
      status: 'active',
      topics: ['llm'],
      keywords: [],
      frequency: 'daily',
      weekday: 1,
      timezone: 'UTC',
      sendHour: 8,
      maxPapers: 20,
      activatedAt: new Date(AT.getTime() - 24 * HOUR),
    });
    subscriptionId = subscription.id;

    const { digestIds } = await notifier.get(DigestPlannerService).planDue(AT);
    expect(digestIds).toHaveLength(1);
    await notifier.get(DigestBuilderService).build(digestIds[0]);
    // As a for-you digest records its explore slots (digest_papers.explore); the rest are its model's picks.
    await api.sql.query(`UPDATE digest_papers SET explore = ("paperId" = $2), why = 'x' WHERE "digestId" = $1`, [
      digestIds[0],
      explorePaper,
    ]);
    const { rows } = await api.sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending'`);
    expect(rows).toHaveLength(2);
    for (const { id } of rows) {
      await notifier.get(DeliveryService).send(id);
    }
    expect(smtp.mails).toHaveLength(1);
    expect(slack.messages).toHaveLength(1);
  }, 60_000);

  afterAll(async () => {
    await notifier?.close();
    await api?.close();
    await Promise.all([smtp?.close(), slack?.close()]);
  });

  beforeEach(async () => {
    await api.sql.query(`DELETE FROM paper_votes`);
  });

  const http = () => api.http();
  const pathOf = (url: string): string => {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  };
  /** The token of a vote link (`…/vote/{token}`). */
  const tokenOf = (url: string): string => decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  const manageToken = (): string => signToken(SECRET, 'manage', subscriptionId, api.now());
  const storedVotes = async (): Promise<StoredVotes['items']> => {
    const response = await http().get(
      `/api/subscriptions/${subscriptionId}/feedback?token=${encodeURIComponent(manageToken())}`,
    );
    expect(response.status).toBe(200);
    return (response.body as StoredVotes).items;
  };
  /** Every vote link of the email, HTML and text parts. */
  const emailVoteLinks = (): string[] => {
    const mail = smtp.mails[0].parsed;
    const hrefs = [...String(mail.html).matchAll(/href="([^"]+)"/g)].map((match) => decodeHtml(match[1]));
    const texts = [...(mail.text ?? '').matchAll(/https?:\/\/\S+/g)].map((match) => match[0]);
    return [...hrefs, ...texts].filter((url) => url.startsWith(`${PUBLIC_URL}/vote/`));
  };
  /** Every URL of the Slack message: its buttons and its text links. */
  const slackUrls = (): string[] => {
    const json = JSON.stringify(slack.messages);
    return [
      ...[...json.matchAll(/"url":"([^"]+)"/g)].map((match) => match[1]),
      ...[...json.matchAll(/<(https?:[^|>]+)[|>]/g)].map((match) => match[1]),
    ];
  };
  /** The vote form of a page: where it posts and the token of its (first) button. */
  const formOf = (html: string): { action: string; token: string } => {
    const form = /<form[^>]*method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    const token = /<button type="submit" name="token" value="([^"]+)"/.exec(form?.[2] ?? '')?.[1];
    expect(form && token).toBeTruthy();
    return { action: decodeHtml(form?.[1] ?? ''), token: decodeHtml(token ?? '') };
  };

  it("should give every paper of the day-one email the subscriber's own 👍 / 👎 links, naming paper, vote and source", () => {
    const links = emailVoteLinks();
    const claims = links.map((url) => verifyVoteToken(SECRET, tokenOf(url), api.now(), 0));
    const expected: VoteClaim[] = papers.flatMap(({ id }) =>
      (['up', 'down'] as const).map((vote) => ({
        subscriptionId,
        paperId: id,
        vote,
        source: id === explorePaper ? 'explore' : 'digest',
      })),
    );
    // Both parts carry the same links, in the digest's order.
    expect(claims).toEqual([...expected, ...expected]);
    expect(smtp.mails[0].parsed.text).toContain('Useful (👍): ');
    expect(String(smtp.mails[0].parsed.html)).toContain('&#128077; Useful');
  });

  it('should give Slack link buttons for every paper, and ask it not to unfurl', () => {
    const message = slack.messages[0] as {
      unfurl_links?: boolean;
      blocks: { type: string; elements?: { url?: string }[] }[];
    };
    expect(message.unfurl_links).toBe(false);
    const buttons = message.blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
    expect(buttons.map((button) => verifyVoteToken(SECRET, tokenOf(button.url ?? ''), api.now(), 0)?.paperId)).toEqual(
      papers.flatMap(({ id }) => [id, id]),
    );
  });

  it('should record nothing when a scanner fetches every link of the email and of the Slack message', async () => {
    const urls = [...emailVoteLinks(), ...slackUrls().filter((url) => url.startsWith(PUBLIC_URL))];
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const url of urls) {
      const response = await http().get(pathOf(url)).set('user-agent', 'Slackbot-LinkExpanding 1.0');
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
    }
    expect(await storedVotes()).toEqual([]);
    const rows = await api.sql.query(`SELECT 1 FROM paper_votes`);
    expect(rows.rowCount).toBe(0);
  });

  it("should record the vote once the page's button is pressed, and take it back with the undo button", async () => {
    const [up] = emailVoteLinks();
    const page = await http().get(pathOf(up));
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toMatch(/no-store/);
    expect(page.text).toContain('Is this paper useful to you?');
    expect(page.text).toContain(papers[0].title);
    const form = formOf(page.text);
    expect(form.action).toBe('/vote');
    expect(form.token).toBe(tokenOf(up));

    const done = await http().post(form.action).type('form').send({ token: form.token });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Saved: 👍 useful to you.');
    expect(await storedVotes()).toEqual([
      expect.objectContaining({ paper: expect.objectContaining({ id: papers[0].id }), vote: 'up', source: 'digest' }),
    ]);
    // Pressed twice (a double click): still one vote.
    expect((await http().post(form.action).type('form').send({ token: form.token })).status).toBe(200);
    expect(await storedVotes()).toHaveLength(1);

    const undo = formOf(done.text);
    expect(verifyVoteToken(SECRET, undo.token, api.now(), 0)).toMatchObject({ paperId: papers[0].id, vote: 'none' });
    const undone = await http().post(undo.action).type('form').send({ token: undo.token });
    expect(undone.status).toBe(200);
    expect(undone.text).toContain('Your vote on this paper is taken back.');
    expect(await storedVotes()).toEqual([]);
  });

  it('should store a vote on an explore slot with source explore', async () => {
    const down = emailVoteLinks().find((url) => {
      const claim = verifyVoteToken(SECRET, tokenOf(url), api.now(), 0);
      return claim?.paperId === explorePaper && claim.vote === 'down';
    }) as string;
    const form = formOf((await http().get(pathOf(down))).text);
    expect((await http().post(form.action).type('form').send({ token: form.token })).status).toBe(200);
    expect(await storedVotes()).toEqual([
      expect.objectContaining({
        paper: expect.objectContaining({ id: explorePaper }),
        vote: 'down',
        source: 'explore',
      }),
    ]);
    await api.sql.query(`DELETE FROM paper_votes`);
  });

  it('should answer a 404 page, never a 5xx, for a tampered or revoked vote link, and record nothing', async () => {
    const [up] = emailVoteLinks();
    const token = tokenOf(up);
    const [subject, iat, signature] = token.split('.');
    const tampered = [
      // The vote's letter (after the two ids) changed from up to down.
      `${subject.slice(0, 44)}d${subject.slice(45)}.${iat}.${signature}`,
      `${subject}.${iat}.${signature.slice(0, -2)}AA`,
      signToken(SECRET, 'manage', subject, api.now()),
      'not-a-token',
      '..',
    ];
    for (const bad of tampered) {
      const page = await http().get(`/vote/${encodeURIComponent(bad)}`);
      expect({ bad, status: page.status }).toEqual({ bad, status: 404 });
      expect(page.text).toContain('This link is not valid');
      const posted = await http().post('/vote').type('form').send({ token: bad });
      expect({ bad, status: posted.status }).toEqual({ bad, status: 404 });
    }
    expect((await http().post('/vote').type('form').send({})).status).toBe(404);
    expect((await http().post('/vote').set('accept', 'application/json').send({ token: 'x' })).status).toBe(404);

    // "Revoke all earlier links" on the manage page revokes the vote links with the others.
    const revoked = await http().post(
      `/api/subscriptions/${subscriptionId}/revoke-links?token=${encodeURIComponent(manageToken())}`,
    );
    expect(revoked.status).toBeLessThan(300);
    const page = await http().get(pathOf(up));
    expect(page.status).toBe(404);
    expect(page.text).toContain('This link is not valid');
    expect((await http().post('/vote').type('form').send({ token })).status).toBe(404);
    expect((await api.sql.query(`SELECT 1 FROM paper_votes`)).rowCount).toBe(0);
    // The links of the email again, for the other tests whatever their order.
    await api.sql.query(`UPDATE subscriptions SET "linkVersion" = 0 WHERE id = $1`, [subscriptionId]);
  });

  /** The email's "View in your browser" page. */
  const webView = async (): Promise<{ path: string; html: string }> => {
    const url = /View in your browser: (\S+)/.exec(smtp.mails[0].parsed.text ?? '')?.[1] ?? '';
    const response = await http().get(pathOf(url));
    expect(response.status).toBe(200);
    return { path: pathOf(url), html: response.text };
  };
  /** Each paper's vote form on a page: its action, hidden `back`, and the token of each button. */
  const voteForms = (html: string) =>
    [...html.matchAll(/<form class="vote-form" method="post" action="([^"]+)" data-vote-form>([\s\S]*?)<\/form>/g)].map(
      ([, action, inner]) => ({
        action: decodeHtml(action),
        back: decodeHtml(/name="back" value="([^"]*)"/.exec(inner)?.[1] ?? ''),
        up: decodeHtml(/value="([^"]+)" aria-pressed="(?:true|false)" data-vote="up"/.exec(inner)?.[1] ?? ''),
        down: decodeHtml(/value="([^"]+)" aria-pressed="(?:true|false)" data-vote="down"/.exec(inner)?.[1] ?? ''),
        upPressed: /aria-pressed="true" data-vote="up"/.test(inner),
      }),
    );

  it('should vote from the web view with a plain form POST (no JavaScript), and show the vote when it is opened again', async () => {
    const view = await webView();
    const forms = voteForms(view.html);
    expect(forms.map((form) => verifyVoteToken(SECRET, form.up, api.now(), 0)?.paperId)).toEqual(
      papers.map((p) => p.id),
    );
    expect(forms.every((form) => form.back === view.path && !form.upPressed)).toBe(true);

    // What a browser sends for the pressed button: its name and value, and the hidden field.
    const done = await http().post(forms[2].action).type('form').send({ back: forms[2].back, token: forms[2].up });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Saved: 👍 useful to you.');
    const back = /<a href="([^"]+)">Back to your digest<\/a>/.exec(done.text)?.[1];
    expect(decodeHtml(back ?? '')).toBe(view.path);
    expect(await storedVotes()).toEqual([
      expect.objectContaining({ paper: expect.objectContaining({ id: papers[2].id }), vote: 'up', source: 'digest' }),
    ]);
    expect(voteForms((await webView()).html).map((form) => form.upPressed)).toEqual([false, false, true]);

    // A back link to anywhere but this site's digest and paper pages is dropped, not followed.
    const elsewhere = await http()
      .post('/vote')
      .type('form')
      .send({ back: 'https://evil.example/x', token: forms[2].up });
    expect(elsewhere.text).not.toContain('evil.example');
  });

  it("should answer the web view's script with JSON: the vote, and the tokens to undo or change it", async () => {
    const [form] = voteForms((await webView()).html);
    const response = await http()
      .post(form.action)
      .set('accept', 'application/json')
      .type('form')
      .send({ token: form.down });
    expect(response.status).toBe(200);
    const answer = response.body as { vote: string; source: string; tokens: Record<string, string> };
    expect(answer).toMatchObject({ vote: 'down', source: 'digest', paper: { id: papers[0].id } });
    expect(verifyVoteToken(SECRET, answer.tokens.none, api.now(), 0)).toMatchObject({
      paperId: papers[0].id,
      vote: 'none',
    });
    expect(await storedVotes()).toEqual([expect.objectContaining({ vote: 'down' })]);
    const undone = await http()
      .post('/vote')
      .set('accept', 'application/json')
      .type('form')
      .send({ token: answer.tokens.none });
    expect(undone.body).toMatchObject({ vote: 'none' });
    expect(await storedVotes()).toEqual([]);
  });

  it("should offer the paper's vote form and the way back on a paper page opened from the web view, and keep it private", async () => {
    const view = await webView();
    const href = new RegExp(`<a href="([^"]+)">${papers[1].title}</a>`).exec(view.html)?.[1];
    const page = await http().get(decodeHtml(href ?? 'missing'));
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toMatch(/no-store/);
    expect(page.text).toContain('<h2 id="more-like-this" class="section-heading">More like this</h2>');
    expect(decodeHtml(/<a href="([^"]+)">← Back to your digest<\/a>/.exec(page.text)?.[1] ?? '')).toBe(view.path);
    const [form] = voteForms(page.text);
    expect(verifyVoteToken(SECRET, form.down, api.now(), 0)).toMatchObject({
      paperId: papers[1].id,
      source: 'explore',
    });
    const done = await http().post(form.action).type('form').send({ back: form.back, token: form.down });
    expect(done.text).toContain('Back to the paper');
    expect(await storedVotes()).toEqual([expect.objectContaining({ vote: 'down', source: 'explore' })]);

    // The same page without the digest's context (or with another's) is the public one: no vote form.
    const plain = await http().get(`/papers/${papers[1].id}`);
    expect(plain.headers['cache-control']).toBe('public, max-age=60');
    expect(voteForms(plain.text)).toEqual([]);
    const foreign = await http().get(`/papers/${papers[1].id}?digest=${papers[0].id}&token=x`);
    expect(voteForms(foreign.text)).toEqual([]);
  });
});
