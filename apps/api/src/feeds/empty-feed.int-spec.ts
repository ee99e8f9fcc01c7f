import { ApiApp, startApiApp } from '../../../../test/support/api-app';
import { HOUR_MS } from '../../../../test/support/test-clock';

/** A public feed before the first paper: its date is the api's clock, not the machine's. */
describe('public feeds before the first paper', () => {
  // Far from any wall-clock date, shifted or not: only the injected clock can give it.
  const CLOCK_AT = new Date('2031-05-06T07:08:09Z');
  let api: ApiApp;

  beforeAll(async () => {
    api = await startApiApp('feeds_empty', {
      NODE_ENV: 'test',
      CLOCK_START: CLOCK_AT.toISOString(),
      APP_SECRET: 'empty-feed-secret-empty-feed-secret',
      PUBLIC_URL: 'https://paperboy.example',
    });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  it('should date an empty feed by the injected clock', async () => {
    const response = await api.http().get('/feeds/papers.atom');

    expect(response.status).toBe(200);
    const updated = /<updated>([^<]+)<\/updated>/.exec(response.text)?.[1] ?? '';
    const dated = Date.parse(updated) - CLOCK_AT.getTime();
    expect({ updated, withinAnHour: dated >= -1000 && dated < HOUR_MS }).toEqual({ updated, withinAnHour: true });
  });
});
