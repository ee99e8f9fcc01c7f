import { DateTime } from 'luxon';

/**
 * The options several commands share, declared once: flags, help, default and parser. A command still
 * declares its `@Option` method (nest-commander reads them per class) but spreads these into it.
 */

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_TIMEOUT_SECONDS = 300;

export const TIMEOUT_OPTION = {
  flags: '--timeout <seconds>',
  description: 'give up after this long',
  defaultValue: DEFAULT_TIMEOUT_SECONDS,
};

export const ATTEMPTS_OPTION = {
  flags: '--attempts <n>',
  description: 'tries per source (or date) on timeouts, 5xx and 429, 5 s apart and doubling',
  defaultValue: DEFAULT_ATTEMPTS,
};

export const NOW_OPTION = {
  flags: '--now <ISO-8601>',
  description: 'act as if the clock read this instant, e.g. 2026-11-28T09:00:00Z',
};

export function parseAttempts(value: string): number {
  const attempts = Number(value);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    throw new Error(`--attempts must be a whole number from 1 to 10 (got "${value}")`);
  }
  return attempts;
}

export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`--timeout must be a positive number of seconds (got "${value}")`);
  }
  return seconds;
}

export function parseInstant(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) {
    throw new Error(`--now must be an ISO-8601 instant such as 2026-11-28T09:00:00Z (got "${value}")`);
  }
  return date;
}

export function parseListingDate(value: string): string {
  // Date.parse rolls 2024-02-30 over to March; Luxon refuses it.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !DateTime.fromISO(value, { zone: 'UTC' }).isValid) {
    throw new Error(`--date must be a date as YYYY-MM-DD (got "${value}")`);
  }
  return value;
}
