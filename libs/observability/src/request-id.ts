import type { IncomingMessage, ServerResponse } from 'node:http';
import { newTraceId, runWithTrace, saneTraceId } from './trace-context';

export const REQUEST_ID_HEADER = 'x-request-id';

type RequestWithId = IncomingMessage & { id?: unknown };

/**
 * The request's id: the caller's X-Request-Id when it is sane (a proxy's or a client's, so their logs
 * and ours meet), else a new one; echoed in the response. Both pino-http (genReqId) and the trace
 * middleware call it, in either order: the first one decides.
 */
export function requestIdOf(req: RequestWithId, res: ServerResponse): string {
  if (typeof req.id === 'string') {
    return req.id;
  }
  const id = saneTraceId(req.headers[REQUEST_ID_HEADER]) ?? newTraceId();
  req.id = id;
  if (!res.headersSent) {
    res.setHeader('X-Request-Id', id);
  }
  return id;
}

/** Express-style middleware: the rest of the request runs in a trace whose id is the request id. */
export function traceRequest(req: RequestWithId, res: ServerResponse, next: () => void): void {
  runWithTrace({ traceId: requestIdOf(req, res) }, next);
}
