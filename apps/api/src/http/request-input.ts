import {
  BadRequestException,
  ForbiddenException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Deeper than any request of ours (a body, a list, its items): more is an attack on the recursive parts. */
export const MAX_INPUT_DEPTH = 8;
/** Keys that would reach an object's prototype if code ever copied them; no request of ours has them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** How long, and for how many more bytes, a refused upload's connection stays open so its client reads the answer. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 1024 * 1024;

/**
 * Answers 413 as soon as a body is known to be larger than `limit` bytes: at once for a declared length, and at
 * the chunk that crosses it for a chunked one. body-parser would answer the same, but only after reading the
 * rest of the request (100 MB if a client sends them), so this runs before it and stops reading instead.
 */
export function limitRequestBodies(limit: number, label: string): RequestHandler {
  const message = `The request body is larger than ${label}`;
  return (req: Request, res: Response, next: NextFunction): void => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      stopReadingOnceAnswered(req, res);
      next(new PayloadTooLargeException(message));
      return;
    }
    if (req.headers['transfer-encoding'] === undefined) {
      next();
      return;
    }
    let received = 0;
    const count = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= limit) {
        return;
      }
      req.off('data', count);
      stopReadingOnceAnswered(req, res);
      if (!res.headersSent) {
        // Written here: the parser reading this body has been handed the request and would answer at its end.
        res.status(413).json({ message, error: 'Payload Too Large', statusCode: 413 });
      }
    };
    req.on('data', count);
    next();
  };
}

/**
 * Names a body that does not decompress (body-parser answers a zlib error with a bare 400 "Bad Request"): such an
 * error carries zlib's `code` and none of body-parser's own `type`s (parse failed, too large, aborted …).
 */
export function nameBodyEncodingErrors(error: unknown, req: Request, _res: Response, next: NextFunction): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const failure = error as { status?: unknown; type?: unknown; code?: unknown } | null;
  const undecodable =
    encoding !== 'identity' &&
    typeof failure === 'object' &&
    failure !== null &&
    failure.status === 400 &&
    failure.type === undefined &&
    typeof failure.code === 'string';
  next(undecodable ? new BadRequestException(`request body: invalid ${encoding} encoding`) : error);
}

/**
 * Once the answer is out, stops reading the body: Node (and body-parser) would read it to its end. Closing at once
 * is no better: a connection closed with unread data is reset, and a client still sending then loses the answer.
 * So the connection lingers, as a web server's does: what arrives for a moment more is thrown away, then it closes
 * (unless the body ended by then).
 */
function stopReadingOnceAnswered(req: Request, res: Response): void {
  const linger = (): void => {
    const socket = req.socket;
    req.removeAllListeners('data');
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) {
        socket.destroy();
      }
    });
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    // A body that ends in time leaves a connection fit for the next request.
    req.once('end', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  };
  if (res.writableFinished) {
    linger();
  } else {
    res.once('finish', linger);
  }
}

/** Routes that take a file as the body (seed papers), up to MAX_SEED_FILE_BYTES, in any text format. */
export const UPLOAD_PATHS = /^\/api\/subscriptions\/[^/]+\/seeds$/;

/** Web forms that may carry a seed-paper file (multipart/form-data): the file's limit plus room for the fields. */
export const FORM_UPLOAD_PATHS = /^\/(subscribe|manage)$/;

/**
 * The JSON API takes JSON bodies only: anything else under `prefix` answers 415. Otherwise a text/plain or XML
 * body (which no parser reads) looks like an empty object, a subscription with every default; and a cross-site
 * HTML form could post to the API, which a browser would not let a script do with a JSON body without asking.
 */
export function requireJsonBodies(prefix: string, uploads?: RegExp): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    const path = pathOf(req);
    // `uploads`: routes that take files (seed papers as BibTeX, RIS…) and read them themselves.
    if (hasBody && path.startsWith(prefix) && !uploads?.test(path) && !req.is(['application/json', '+json'])) {
      next(new UnsupportedMediaTypeException('The request body must be JSON (Content-Type: application/json)'));
      return;
    }
    next();
  };
}

/** A form route refused from other sites: always, or only when `when` says the post asks for it. */
export type FormRoute = string | { path: string; when: (req: Request) => boolean };

/**
 * Forms that subscribe or change a subscription (POST to one of `routes`) must come from our own pages: another
 * site's form posting here would mail a confirmation to an address of its choosing, or, given a link's token (one
 * leaked in a log or a forwarded mail), change or erase a subscription, or vote in its name. Browsers say where a
 * post comes from in Sec-Fetch-Site; older ones only in Origin, which is "null" under our no-referrer policy and
 * then proves nothing. Clients that send neither (scripts, tests, a mail provider's one-click unsubscribe) are not
 * browsers, and pass.
 */
export function refuseCrossSiteForms(routes: FormRoute[], publicUrl: string): RequestHandler {
  const ours = new URL(publicUrl).origin;
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = pathOf(req);
    const route =
      req.method === 'POST'
        ? routes.find((candidate) => (typeof candidate === 'string' ? candidate : candidate.path) === path)
        : undefined;
    if (route === undefined || (typeof route !== 'string' && !route.when(req))) {
      next();
      return;
    }
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const crossSite =
      site !== undefined
        ? site !== 'same-origin' && site !== 'none'
        : origin !== undefined &&
          origin !== 'null' &&
          origin !== ours &&
          origin !== `${req.protocol}://${req.get('host') ?? ''}`;
    const what = path === '/subscribe' ? 'subscribe' : path === '/vote' ? 'record a vote' : 'change a subscription';
    next(
      crossSite
        ? new ForbiddenException(`Forms from other sites cannot ${what}: use the form on this site`)
        : undefined,
    );
  };
}

/**
 * Refuses, with 400 naming the field, what no route of ours can take and some parts below would choke on: NUL
 * characters (Postgres refuses them in text, after the request got that far), nesting deeper than
 * MAX_INPUT_DEPTH (class-transformer recurses through it) and keys that name an object's prototype (which
 * class-transformer drops silently, so they would otherwise pass as if absent). Runs after the body parsers,
 * before guards and pipes, on the path, the query and the body.
 */
export function checkRequestInput(req: Request, _res: Response, next: NextFunction): void {
  const path = pathOf(req);
  const problem =
    (path.includes('\u0000') || safeDecode(path).includes('\u0000')
      ? 'the path must not contain a NUL character'
      : null) ??
    inputProblem(req.query, '', 0) ??
    inputProblem(req.body, '', 0);
  next(problem === null ? undefined : new BadRequestException([problem]));
}

/**
 * The same check for a body parsed after the middleware ran (a multipart form, which multer reads in the
 * route's interceptor): the first problem, or null.
 */
export function bodyInputProblem(body: unknown): string | null {
  return inputProblem(body, '', 0);
}

/** The first problem found in a parsed query or body, naming the field as `keywords[1]` or `a.b`. */
function inputProblem(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? `${path || 'the body'} must not contain a NUL character` : null;
  }
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  if (depth >= MAX_INPUT_DEPTH) {
    return `${path.split(/[.[]/)[0] || 'the body'} is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const problem = inputProblem(value[index], `${path}[${index}]`, depth + 1);
      if (problem !== null) {
        return problem;
      }
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const field = path === '' ? key : `${path}.${key}`;
    if (PROTOTYPE_KEYS.has(key)) {
      return `property ${field} should not exist`;
    }
    if (key.includes('\u0000')) {
      return `the field name ${JSON.stringify(field)} must not contain a NUL character`;
    }
    const problem = inputProblem((value as Record<string, unknown>)[key], field, depth + 1);
    if (problem !== null) {
      return problem;
    }
  }
  return null;
}

/** The path as requested (`req.path` is relative to where a middleware is mounted), still percent-encoded. */
function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0];
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
