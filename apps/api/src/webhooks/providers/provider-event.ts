import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import { MailEvent } from '@libs/database';
import { normaliseEmail } from '@libs/domain';

/** What a provider's report says, before it is stored: a bounce or complaint about one address. */
export type ProviderEvent = Omit<MailEvent, 'provider'>;

/** A provider's reports, read: the events Paperboy acts on, and how many others it skipped (deliveries, opens). */
export interface ReadReports {
  events: ProviderEvent[];
  ignored: number;
}

/** 400 naming what is wrong with the body (never echoing it: it holds subscribers' addresses). */
export function malformed(what: string): BadRequestException {
  return new BadRequestException([what]);
}

/** 401: the request is not from the provider (or not signed with the key we hold). */
export function forged(what: string): UnauthorizedException {
  return new UnauthorizedException(what);
}

/** The body as JSON, or 400 saying it is not. */
export function parseJson(body: string, what: string): unknown {
  if (body.trim() === '') {
    throw malformed(`${what} is empty`);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw malformed(`${what} is not JSON`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required string field of a record, or 400 naming it. */
export function requiredText(record: Record<string, unknown>, field: string, where: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '') {
    throw malformed(`${where}.${field} must be a non-empty string`);
  }
  // Postgres refuses NUL in text: stored as it came, it would be a 500.
  if (value.includes('\u0000')) {
    throw malformed(`${where}.${field} must not contain a NUL character`);
  }
  return value;
}

/** An optional string field (numbers are taken as their decimal text); undefined when absent. */
export function optionalText(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw malformed(`${field} must not contain a NUL character`);
  }
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** The address in the one spelling subscriptions keep, or null when it cannot be one (it matches nobody). */
export function addressOf(raw: string): string | null {
  const normalised = normaliseEmail(raw);
  return normalised.problem === undefined ? normalised.address : null;
}

/** Instants a provider could report: JavaScript dates reach far beyond what Postgres stores. */
const EARLIEST_INSTANT_MS = Date.UTC(1970, 0, 1);
const LATEST_INSTANT_MS = Date.UTC(10_000, 0, 1);

/** An instant from an ISO string or Unix seconds; null when absent, unreadable or out of range (it is only shown). */
export function instantOf(value: unknown): Date | null {
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : null;
  const ms = date?.getTime() ?? Number.NaN;
  return date !== null && ms >= EARLIEST_INSTANT_MS && ms < LATEST_INSTANT_MS ? date : null;
}

/** Reasons are shown to operators: one line, bounded. */
export function reasonOf(...parts: (string | undefined)[]): string {
  const joined = parts.filter((part) => part !== undefined && part.trim() !== '').join(': ');
  return (joined || 'no reason given').replace(/\s+/g, ' ').slice(0, 500);
}

/** How far a signed timestamp may be from our clock: old signed requests are not taken again. */
export const SIGNATURE_TOLERANCE_MS = 10 * 60_000;

/** Whether a signed timestamp (Unix seconds, as text) is within SIGNATURE_TOLERANCE_MS of now, either side. */
export function signedRecently(unixSeconds: string, now: Date): boolean {
  const signedAt = Number(unixSeconds) * 1000;
  return Number.isFinite(signedAt) && Math.abs(now.getTime() - signedAt) <= SIGNATURE_TOLERANCE_MS;
}
