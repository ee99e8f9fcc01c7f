import type { SourceHealth } from '@libs/database';
import { formatSourcesTable } from './sources.command';

const source = (overrides: Partial<SourceHealth>): SourceHealth =>
  ({
    id: 'hf-daily',
    kind: 'hf-daily-papers',
    url: 'https://huggingface.co/api/daily_papers?token=secret',
    enabled: true,
    health: 'healthy',
    healthReason: null,
    healthChangedAt: null,
    consecutiveFailures: 0,
    cursorDate: '2026-11-27',
    lastRun: {
      id: 'r1',
      status: 'succeeded',
      listingDate: '2026-11-27',
      startedAt: new Date('2026-11-28T04:15:00Z'),
      finishedAt: new Date('2026-11-28T04:15:02.123Z'),
      httpStatus: 200,
      itemsSeen: 25,
      itemsNew: 3,
      error: null,
    },
    ...overrides,
  });

describe('formatSourcesTable', () => {
  it('should align one line per source with its health, latest run and why', () => {
    const table = formatSourcesTable([
      source({}),
      source({
        id: 'arxiv',
        kind: 'arxiv-rss',
        health: 'failing',
        healthReason: '3 failed runs in a row: HTTP 503',
        lastRun: null,
      }),
      source({ id: 'gone', enabled: false }),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^SOURCE\s+KIND\s+HEALTH\s+CURSOR\s+LAST RUN\s+FINISHED\s+NEW\/SEEN\s+NOTE$/);
    expect(lines[1]).toMatch(
      /^hf-daily\s+hf-daily-papers\s+healthy\s+2026-11-27\s+succeeded 200\s+2026-11-28T04:15:02Z\s+3\/25\s+/,
    );
    expect(lines[1]).not.toContain('secret');
    expect(lines[2]).toMatch(/^arxiv\s+arxiv-rss\s+failing\s+.*never run.*3 failed runs in a row: HTTP 503$/);
    expect(lines[3]).toMatch(/^gone\s+hf-daily-papers\s+disabled/);
    // Columns line up: each header starts where its cells start.
    expect(lines[1].indexOf('hf-daily-papers')).toBe(lines[0].indexOf('KIND'));
    expect(lines[2].indexOf('failing')).toBe(lines[0].indexOf('HEALTH'));
    expect(
      new Set(lines.map((line) => (line.indexOf('KIND') >= 0 ? line.indexOf('KIND') : line.indexOf(' ') + 0))).size,
    ).toBeGreaterThan(0);
  });
});
