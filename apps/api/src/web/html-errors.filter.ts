import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Settings } from '@libs/config';
import { Site } from './templates';
import { messagePage } from './web-pages';

const TITLES: Record<number, string> = {
  400: 'Please check the address',
  404: 'Not found',
  405: 'Not allowed',
  413: 'Too large',
  415: 'Not supported',
  429: 'Too many requests',
};

/**
 * Errors for people: a browser that asks for a page (Accept prefers text/html) gets the error as a page in the
 * site's layout, whatever route failed (an unknown URL, a malformed parameter, a refused query). The API
 * (`/api/…`) and every client that prefers JSON get Nest's JSON error as before.
 */
@Catch()
export class HtmlErrorsFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HtmlErrors');
  private readonly site: Site;

  constructor(settings: Settings) {
    super();
    this.site = { base: new URL(settings.PUBLIC_URL).pathname.replace(/\/+$/, '') };
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      super.catch(exception, host);
      return;
    }
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent || !wantsPage(request)) {
      super.catch(exception, host);
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (!(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Please check the request');
    response
      .status(status)
      .set('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(messagePage(this.site, title, paragraphs(exception, status)));
  }
}

/** A page for a browser: not the API, and HTML preferred to JSON (a bare `*\/*` client keeps JSON). */
function wantsPage(request: Request): boolean {
  return !/^\/api(\/|$)/.test(request.path) && request.accepts(['application/json', 'text/html']) === 'text/html';
}

/** What the page says: the messages of a refusal (they name the field), never a stack or the router's text. */
function paragraphs(exception: unknown, status: number): string[] {
  if (status >= 500 || !(exception instanceof HttpException)) {
    return ['The page could not be shown. Please try again in a moment.'];
  }
  const body = exception.getResponse();
  const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  const messages = [message].flat().filter((m): m is string => typeof m === 'string' && m !== '');
  // The router's own 404 ("Cannot GET /path") would echo the address back.
  if (status === 404 && (messages.length === 0 || messages.some((m) => /^Cannot [A-Z]+ /.test(m)))) {
    return ['There is no page at this address. It may be mistyped, or it was never here.'];
  }
  return messages.length > 0 ? messages : [exception.message];
}
