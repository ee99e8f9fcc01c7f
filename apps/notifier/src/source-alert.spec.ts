import type { SourceHealth } from '@libs/database';
import { alertIdOf, renderSourceAlert, SourceAlert } from './source-alert';

const failing: SourceHealth = {
  id: 'hf-daily',
  kind: 'hf-daily-papers',
  url: 'https://huggingface.co/api/daily_papers?token=secret',
  enabled: true,
  health: 'failing',
  healthReason: '3 failed runs in a row; last: Source "hf-daily": … answered HTTP 500 <html>',
  healthChangedAt: new Date('2026-11-28T12:00:00Z'),
  consecutiveFailures: 3,
  cursorDate: '2026-11-27',
  lastRun: {
    id: 'r3',
    status: 'failed',
    listingDate: '2026-11-28',
    startedAt: new Date('2026-11-28T12:00:00Z'),
    finishedAt: new Date('2026-11-28T12:00:01.250Z'),
    httpStatus: 500,
    itemsSeen: 0,
    itemsNew: 0,
    error: 'Source "hf-daily": https://huggingface.co/api/daily_papers?… answered HTTP 500',
  },
};
const alert: SourceAlert = { sourceId: 'hf-daily', health: 'failing', changedAt: '2026-11-28T12:00:00.000Z' };

describe('renderSourceAlert', () => {
  it('should say which source is failing, why, and its latest run, without the URL query', () => {
    const rendered = renderSourceAlert(alert, failing);
    expect(rendered.subject).toBe('Paperboy: source hf-daily is failing');
    expect(rendered.text).toContain('Health: failing since 2026-11-28T12:00:00Z');
    expect(rendered.text).toContain('Why: 3 failed runs in a row; last:');
    expect(rendered.text).toContain(
      'Latest run: failed (HTTP 500) for 2026-11-28, finished 2026-11-28T12:00:01Z, 0 listed, 0 new',
    );
    expect(rendered.text).toContain('Error: Source "hf-daily"');
    for (const body of [rendered.text, rendered.html, rendered.slack]) {
      expect(body).not.toContain('secret');
    }
  });

  it('should escape what upstreams wrote in the HTML and Slack versions', () => {
    const rendered = renderSourceAlert(alert, failing);
    expect(rendered.html).toContain('HTTP 500 &lt;html&gt;');
    expect(rendered.html).not.toContain('<html>');
    expect(rendered.slack).toContain('HTTP 500 &lt;html&gt;');
    expect(rendered.slack.startsWith(':rotating_light: *Paperboy: source hf-daily is failing*')).toBe(true);
  });

  it('should write a recovery as "healthy again" and say when the source changed again since', () => {
    const recovered = renderSourceAlert({ ...alert, health: 'healthy' }, failing);
    expect(recovered.subject).toBe('Paperboy: source hf-daily is healthy again');
    // The stored reason belongs to the newer level, not to the recovery.
    expect(recovered.text).not.toContain('Why:');
    expect(recovered.text).toContain('Now: failing: 3 failed runs in a row');
    expect(renderSourceAlert({ ...alert, health: 'degraded' }, { ...failing, health: 'degraded' }).subject).toBe(
      'Paperboy: source hf-daily is degraded',
    );
  });

  it('should derive one id per change for the Message-ID', () => {
    expect(alertIdOf(alert)).toBe(`hf-daily-${Date.parse(alert.changedAt)}`);
  });
});
