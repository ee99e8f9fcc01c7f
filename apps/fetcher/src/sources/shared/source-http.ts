import { Injectable } from '@nestjs/common';
import type { SourceEntity } from '@libs/database';
import { HttpClient, HttpClientError, HttpResponse, redactUrl } from '@libs/http';
import { HostPacer } from './host-pacer';
import {
  parseRetryAfter,
  PermanentUpstreamError,
  SourceGoneError,
  UpstreamError,
  UpstreamRetryAfterError,
  Validators,
} from './source-client';

/** rss-parser's own `application/rss+xml` alone makes some servers answer 406 (rbren/rss-parser#205). */
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5';

export interface SourceRequest {
  /** The source's URL, or one built from it. */
  url: string;
  /** The URL errors name when `url` carries our own parameters (default `url`); shown without its query. */
  label?: string;
  accept: string;
  /** Makes the GET conditional: a 304 is then an answer, not an error. */
  validators?: Validators;
  /** Said after the URL in errors, e.g. "for 2026-11-27, start 0". */
  detail?: string;
}

/** `Source "id": ` before every message, so a run's error says which source it belongs to. */
export const sourcePrefix = (source: SourceEntity): string => `Source "${source.id}": `;

/**
 * GETs for the feed and arXiv clients: paced per host, conditional when asked, and every status that is
 * not an answer turned into an error that names the source and the URL without its query.
 */
@Injectable()
export class SourceHttp {
  constructor(
    private readonly http: HttpClient,
    private readonly pacer: HostPacer,
  ) {}

  async get(source: SourceEntity, request: SourceRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: request.accept };
    if (request.validators?.etag) {
      headers['if-none-match'] = request.validators.etag;
    }
    if (request.validators?.lastModified) {
      headers['if-modified-since'] = request.validators.lastModified;
    }
    let response: HttpResponse;
    try {
      response = await this.pacer.run(request.url, () => this.http.request({ url: request.url, headers }));
    } catch (error) {
      if (error instanceof HttpClientError) {
        const message = `${sourcePrefix(source)}${error.message}`;
        // A refused target, an oversized body or a redirect loop will not change on retry.
        throw error.transient ? new UpstreamError(message, null) : new PermanentUpstreamError(message, null);
      }
      throw error;
    }
    if (response.status === 200 || (response.status === 304 && request.validators !== undefined)) {
      return response;
    }
    const where = `${sourcePrefix(source)}${redactUrl(request.label ?? request.url)} answered HTTP ${response.status}${
      request.detail ? ` ${request.detail}` : ''
    }`;
    if (response.status === 410) {
      throw new SourceGoneError(`${where}: it is gone for good, so the source is disabled`);
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = response.headers['retry-after'];
      const message = `${where}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`;
      const delayMs =
        response.status === 429 || response.status === 503 ? parseRetryAfter(retryAfter, new Date()) : null;
      throw delayMs === null
        ? new UpstreamError(message, response.status)
        : new UpstreamRetryAfterError(message, response.status, delayMs);
    }
    const body = response.body.toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
    throw new PermanentUpstreamError(`${where}${body ? `: ${body}` : ''}`, response.status);
  }
}

/** The validators of a 200 answer, to send back next time. */
export function validatorsOf(response: HttpResponse): Validators {
  return { etag: response.headers.etag ?? null, lastModified: response.headers['last-modified'] ?? null };
}
