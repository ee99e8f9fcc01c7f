import type { SourceHealth } from '@libs/database';
import { escapeHtml, escapeMrkdwn } from '@libs/domain';
import { redactUrl } from '@libs/http';
import type { JobData, JobName } from '@libs/queues';

export type SourceAlert = JobData<JobName.SourceHealthAlert>;

export interface RenderedAlert {
  subject: string;
  text: string;
  html: string;
  /** Slack mrkdwn. */
  slack: string;
}

const iso = (date: Date | null): string => (date ? date.toISOString().replace(/\.\d+Z$/, 'Z') : '-');

/** A stable id of one change of one source, for Message-IDs. */
export const alertIdOf = (alert: SourceAlert): string => `${alert.sourceId}-${Date.parse(alert.changedAt)}`;

/**
 * The operators' message about one change of a source's health: what it is now, why, and its latest run,
 * as read from Postgres when the alert is sent. A source that changed again since says so.
 */
export function renderSourceAlert(alert: SourceAlert, source: SourceHealth): RenderedAlert {
  const state = alert.health === 'healthy' ? 'healthy again' : alert.health;
  const subject = `Paperboy: source ${alert.sourceId} is ${state}`;
  const changedAt = iso(new Date(alert.changedAt));
  const run = source.lastRun;
  // The stored reason is the latest one: it explains this change only while the level is still the same.
  const reason = source.health === alert.health ? source.healthReason : null;
  const lines: [string, string][] = [
    ['Source', `${source.id} (${source.kind}, ${redactUrl(source.url)})`],
    ['Health', `${state} since ${changedAt}`],
  ];
  if (reason) {
    lines.push(['Why', reason]);
  }
  if (source.health !== alert.health) {
    lines.push(['Now', `${source.health}${source.healthReason ? `: ${source.healthReason}` : ''}`]);
  }
  if (!source.enabled) {
    lines.push(['Enabled', 'no: the fetcher no longer fetches it']);
  }
  lines.push([
    'Latest run',
    run
      ? `${run.status}${run.httpStatus ? ` (HTTP ${run.httpStatus})` : ''}` +
        `${run.listingDate ? ` for ${run.listingDate}` : ''}, finished ${iso(run.finishedAt)}, ` +
        `${run.itemsSeen} listed, ${run.itemsNew} new`
      : 'none yet',
  ]);
  if (run?.error) {
    lines.push([run.status === 'failed' ? 'Error' : 'Notes', run.error.split('\n').slice(0, 5).join('\n')]);
  }
  const footer = 'Every source: npm run cli -- sources status, or GET /api/admin/sources.';
  const text = [subject, '', ...lines.map(([label, value]) => `${label}: ${value}`), '', footer].join('\n');
  const html = [
    `<p><strong>${escapeHtml(subject)}</strong></p>`,
    '<table cellpadding="4" style="border-collapse:collapse;font-family:sans-serif;font-size:14px">',
    ...lines.map(
      ([label, value]) =>
        `<tr><th align="left" valign="top">${escapeHtml(label)}</th><td style="white-space:pre-wrap">${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    `<p style="color:#555;font-size:13px">${escapeHtml(footer)}</p>`,
  ].join('\n');
  const icon =
    alert.health === 'healthy' ? ':white_check_mark:' : alert.health === 'failing' ? ':rotating_light:' : ':warning:';
  const slack = [
    `${icon} *${escapeMrkdwn(subject)}*`,
    ...lines.map(([label, value]) => `*${escapeMrkdwn(label)}:* ${escapeMrkdwn(value)}`),
  ].join('\n');
  return { subject, text, html, slack };
}
