import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { requestIdOf, traceLogFields, traceRequest } from '@libs/observability';
import { withoutStatementValues } from './log-errors';
import { Settings } from './settings';

// Probes and scrapes come every few seconds; a line for each would bury everything else.
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;
// Paths that carry a link's token (a vote link's is in its path, so that quoted-printable keeps it whole).
const TOKEN_IN_PATH = /\/vote\/[^/?]+/g;

/** A request's URL as logged: without its query string, nor a token its path carries (both are credentials). */
export function loggedUrl(url: string | undefined): string | undefined {
  return url?.split('?')[0].replace(TOKEN_IN_PATH, '/vote/[token]');
}

/** pino-http's options for the apps' logs (exported for the tests that check what a log line holds). */
export function pinoHttpOptions(settings: Pick<Settings, 'LOG_LEVEL' | 'production'>): Options {
  return {
    level: settings.LOG_LEVEL,
    transport:
      !settings.production && process.stdout.isTTY
        ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } }
        : undefined,
    genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
    mixin: traceLogFields,
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
    serializers: {
      // pino-http applies it after pino's own, which copies every field of an error.
      err: withoutStatementValues,
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: loggedUrl(req.url),
      }),
    },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
}

/**
 * Structured logs with pino: JSON lines in production, pretty lines on a developer's terminal.
 * Query strings are dropped from logged URLs because they carry confirmation and unsubscribe tokens (a vote
 * link's token, in its path, is blanked), and a failed statement's values from logged errors because they carry
 * addresses and webhooks.
 * Every line made while serving a request or running a job carries its trace id (`traceId`: the
 * request id, or the id a job inherited from the request or job that queued it) and the job.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [Settings],
      useFactory: (settings: Settings) => ({
        pinoHttp: pinoHttpOptions(settings),
      }),
    }),
  ],
})
export class LoggingModule implements NestModule {
  /** Each request runs in a trace named by its request id, so the jobs it queues carry that id on. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(traceRequest).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
