import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdOf, traceRequest } from './request-id';
import { currentTrace } from './trace-context';

const exchange = (
  header?: string,
): { req: IncomingMessage & { id?: unknown }; res: ServerResponse; sent: Map<string, string> } => {
  const sent = new Map<string, string>();
  const req = { headers: header === undefined ? {} : { 'x-request-id': header } } as IncomingMessage;
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => sent.set(name, value),
  } as unknown as ServerResponse;
  return { req, res, sent };
};

describe('request ids', () => {
  it('should keep a sane incoming X-Request-Id and echo it', () => {
    const { req, res, sent } = exchange('lb-1234.abcd:5');
    expect(requestIdOf(req, res)).toBe('lb-1234.abcd:5');
    expect(sent.get('X-Request-Id')).toBe('lb-1234.abcd:5');
  });

  it('should replace a missing, long or unprintable id with a new one', () => {
    for (const header of [undefined, '', 'x'.repeat(129), 'two words', 'new\nline', '<b>']) {
      const { req, res, sent } = exchange(header);
      const id = requestIdOf(req, res);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(sent.get('X-Request-Id')).toBe(id);
    }
  });

  it('should decide once per request, and run the rest of the request in a trace of that id', () => {
    const { req, res } = exchange();
    const id = requestIdOf(req, res);
    expect(requestIdOf(req, res)).toBe(id);
    let inside: unknown;
    traceRequest(req, res, () => (inside = currentTrace()));
    expect(inside).toEqual({ traceId: id });
  });
});
