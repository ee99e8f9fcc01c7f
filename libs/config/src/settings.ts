import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { createPublicKey } from 'node:crypto';
import { DENSE_SIMILARITY_WEIGHT, MIN_RETENTION_DAYS, normaliseEmail, slackWebhookProblem } from '@libs/domain';
import { parseRedisTarget, RedisTarget } from './redis-target';

/** true/false/1/0 only; anything else stays a string so the boolean check names it. */
const bool = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    return value;
  }
  const text = value.toLowerCase();
  return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : value;
};

/**
 * Every setting Paperboy reads from the environment. Defaults work on a developer machine with local
 * Postgres, Redis and a mail catcher; production must set APP_SECRET (and usually the URLs).
 */
export class Settings {
  @IsIn(['development', 'production', 'test'], { message: 'NODE_ENV must be development, production or test' })
  NODE_ENV: string = 'development';

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/paperboy';

  /** `npm run migrate` only: a direct connection to Postgres, not through PgBouncer; unset, DATABASE_URL. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'MIGRATION_DATABASE_URL must be a postgres:// URL' })
  MIGRATION_DATABASE_URL?: string = undefined;

  /**
   * The notifier's hot statements are named prepared statements (parsed once per connection). Set false
   * behind a pooler that cannot keep them: PgBouncer in transaction mode before 1.21, or with
   * max_prepared_statements = 0.
   */
  @Transform(bool)
  @IsBoolean({ message: 'DATABASE_NAMED_STATEMENTS must be true or false' })
  DATABASE_NAMED_STATEMENTS: boolean = true;

  /** One Redis (`redis://`, `rediss://`), or a Redis Cluster's seed nodes (`redis+cluster://h1:6379,h2:6379`). */
  @Matches(/^rediss?(\+cluster)?:\/\/\S+$/, {
    message: 'REDIS_URL must be a redis://, rediss:// or redis+cluster://host:port,host:port URL',
  })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /**
   * A Redis Cluster's seed nodes (`host:port,host:port`), where a platform hands them over as a list: REDIS_URL
   * (a plain redis:// or rediss:// URL) then gives only the user, password and TLS, and its host is one more seed.
   */
  @IsOptional()
  @IsString()
  REDIS_CLUSTER_NODES?: string = undefined;

  // BullMQ forbids ':' in names it builds keys from; braces allow a Redis Cluster hash tag.
  @Matches(/^[A-Za-z0-9_{}-]{1,64}$/, { message: 'QUEUE_PREFIX must be 1-64 letters, digits, -, _, { or }' })
  QUEUE_PREFIX: string = 'paperboy';

  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL: string = 'smtp://127.0.0.1:1025';

  @Matches(/^([^<>\r\n]*<)?[^\s@<>]+@[^\s@<>]+>?$/, {
    message: 'MAIL_FROM must be an address, optionally with a display name ("Paperboy <digest@example.org>")',
  })
  MAIL_FROM: string = 'Paperboy <paperboy@localhost>';

  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
    message: 'PUBLIC_URL must be an http(s) URL, e.g. https://papers.example.org',
  })
  PUBLIC_URL: string = 'http://localhost:3000';

  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  // class-validator checks the decorator nearest the property first: the type check goes last.
  @Max(65535, { message: 'PORT must be between 1 and 65535' })
  @Min(1, { message: 'PORT must be between 1 and 65535' })
  @IsInt({ message: 'PORT must be an integer' })
  PORT: number = 3000;

  /** Workers only: port of /health/live, /health/ready and /metrics (0, the default: no HTTP server). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(65535, { message: 'HEALTH_PORT must be 0 (off) or a port between 1 and 65535' })
  @Min(0, { message: 'HEALTH_PORT must be 0 (off) or a port between 1 and 65535' })
  @IsInt({ message: 'HEALTH_PORT must be an integer' })
  HEALTH_PORT: number = 0;

  @IsString()
  @MinLength(16, { message: 'APP_SECRET must be at least 16 characters (32 random bytes recommended)' })
  APP_SECRET: string = 'dev-only-insecure-app-secret';

  @IsString()
  @MinLength(1, { message: 'SOURCES_FILE must be a path to a YAML file' })
  SOURCES_FILE: string = 'config/sources.yml';

  @Transform(bool)
  @IsBoolean({ message: 'ALLOW_PRIVATE_TARGETS must be true or false' })
  ALLOW_PRIVATE_TARGETS: boolean = false;

  /**
   * Tests only: Slack webhooks (subscribers' and ALERT_SLACK_WEBHOOK_URL) may be on any http(s) host, such as
   * a loopback stand-in. Apart from ALLOW_PRIVATE_TARGETS, which private RSS sources need in production.
   */
  @Transform(bool)
  @IsBoolean({ message: 'ALLOW_ANY_WEBHOOK_HOST must be true or false' })
  ALLOW_ANY_WEBHOOK_HOST: boolean = false;

  /**
   * Politeness per host, `host=seconds` pairs: requests to the host and its subdomains go one at a time,
   * that many seconds apart, across every fetcher replica (arXiv asks for 3 s over all its hosts).
   */
  @Matches(/^\s*$|^\s*[a-z0-9.-]+\s*=\s*\d+(\.\d+)?\s*(,\s*[a-z0-9.-]+\s*=\s*\d+(\.\d+)?\s*)*$/i, {
    message: 'HOST_PACING must be comma-separated host=seconds pairs, such as arxiv.org=3,api.biorxiv.org=1',
  })
  HOST_PACING: string = 'arxiv.org=3';

  /** The earlier name of MAIL_RATE_PER_SECOND (then per process); read when MAIL_RATE_PER_SECOND is not set. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(10000, { message: 'SMTP_RATE_LIMIT must be at most 10000 messages per second' })
  @Min(0, { message: 'SMTP_RATE_LIMIT must be 0 (no limit) or a positive number of messages per second' })
  @IsInt({ message: 'SMTP_RATE_LIMIT must be an integer (messages per second)' })
  SMTP_RATE_LIMIT: number = 0;

  /** Messages a second to the relay, all notifier replicas together (a bucket in Redis); 0: no limit. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(10000, { message: 'MAIL_RATE_PER_SECOND must be between 0 (no limit) and 10000 messages a second' })
  @Min(0, { message: 'MAIL_RATE_PER_SECOND must be between 0 (no limit) and 10000 messages a second' })
  @IsInt({ message: 'MAIL_RATE_PER_SECOND must be a whole number of messages a second' })
  MAIL_RATE_PER_SECOND?: number = undefined;

  /** Messages a minute to the relay, all notifier replicas together; 0: no limit. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(600000, { message: 'MAIL_RATE_PER_MINUTE must be between 0 (no limit) and 600000 messages a minute' })
  @Min(0, { message: 'MAIL_RATE_PER_MINUTE must be between 0 (no limit) and 600000 messages a minute' })
  @IsInt({ message: 'MAIL_RATE_PER_MINUTE must be a whole number of messages a minute' })
  MAIL_RATE_PER_MINUTE: number = 0;

  /** After an SMTP 421/454 "slow down" answer, every notifier replica stops sending mail for this long. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(3600, { message: 'MAIL_SLOW_DOWN_SECONDS must be between 1 and 3600' })
  @Min(1, { message: 'MAIL_SLOW_DOWN_SECONDS must be between 1 and 3600' })
  @IsInt({ message: 'MAIL_SLOW_DOWN_SECONDS must be a whole number of seconds' })
  MAIL_SLOW_DOWN_SECONDS: number = 60;

  /** Amazon SES through SNS: the topic ARNs whose messages are taken (comma-separated); unset, the route answers 404. */
  @IsOptional()
  @Matches(
    /^\s*arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}\s*(,\s*arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}\s*)*$/,
    {
      message:
        'MAIL_WEBHOOK_SES_TOPIC_ARNS must be SNS topic ARNs, comma-separated (arn:aws:sns:eu-west-1:123456789012:ses-events)',
    },
  )
  MAIL_WEBHOOK_SES_TOPIC_ARNS?: string = undefined;

  /** Postmark: the basic-auth user and password put in the webhook's URL; unset, the route answers 404. */
  @IsOptional()
  @Matches(/^[^:\s]{1,128}$/, { message: 'MAIL_WEBHOOK_POSTMARK_USER must be 1-128 characters, without ":" or spaces' })
  MAIL_WEBHOOK_POSTMARK_USER?: string = undefined;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'MAIL_WEBHOOK_POSTMARK_PASSWORD must be at least 16 characters' })
  MAIL_WEBHOOK_POSTMARK_PASSWORD?: string = undefined;

  /** SendGrid: the signed event webhook's verification key (base64, as SendGrid shows it); unset, 404. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/=\s-]+$/, {
    message: 'MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY must be the base64 key SendGrid shows',
  })
  MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY?: string = undefined;

  /** Mailgun: the HTTP webhook signing key; unset, the route answers 404. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'MAIL_WEBHOOK_MAILGUN_SIGNING_KEY must be at least 16 characters' })
  MAIL_WEBHOOK_MAILGUN_SIGNING_KEY?: string = undefined;

  /**
   * Tests only (NODE_ENV=test): SNS signing certificates may also come from this https host:port (a loopback
   * stand-in), trusted through the PEM file MAIL_WEBHOOK_SNS_TEST_CA. Elsewhere only sns.<region>.amazonaws.com.
   */
  @IsOptional()
  @Matches(/^[a-z0-9.-]+:\d{1,5}$/i, { message: 'MAIL_WEBHOOK_SNS_TEST_HOST must be host:port' })
  MAIL_WEBHOOK_SNS_TEST_HOST?: string = undefined;

  @IsOptional()
  @IsString()
  MAIL_WEBHOOK_SNS_TEST_CA?: string = undefined;

  /** Hard bounces (SMTP 5xx) after which an address gets no more email. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(100, { message: 'MAIL_MAX_HARD_BOUNCES must be between 1 and 100' })
  @Min(1, { message: 'MAIL_MAX_HARD_BOUNCES must be between 1 and 100' })
  @IsInt({ message: 'MAIL_MAX_HARD_BOUNCES must be an integer' })
  MAIL_MAX_HARD_BOUNCES: number = 2;

  /**
   * How long queued notifier work may sit unfinished before the sweep queues it again (its job was lost
   * with Redis); a send claimed twice as long ago without an outcome is released (its worker died).
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(86400, { message: 'NOTIFIER_STALE_AFTER_SECONDS must be between 1 and 86400' })
  @Min(1, { message: 'NOTIFIER_STALE_AFTER_SECONDS must be between 1 and 86400' })
  @IsInt({ message: 'NOTIFIER_STALE_AFTER_SECONDS must be an integer' })
  NOTIFIER_STALE_AFTER_SECONDS: number = 300;

  /** Jobs each notifier process works on at once (builds and sends); SMTP connections stay at 5. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(500, { message: 'NOTIFIER_CONCURRENCY must be between 1 and 500' })
  @Min(1, { message: 'NOTIFIER_CONCURRENCY must be between 1 and 500' })
  @IsInt({ message: 'NOTIFIER_CONCURRENCY must be an integer' })
  NOTIFIER_CONCURRENCY: number = 64;

  /**
   * Days the ledger keeps digests (with their papers and deliveries) and fetch runs; older ones are pruned
   * hourly. At least MIN_RETENTION_DAYS, beyond any digest's lookback, so no paper is ever sent twice.
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(36500, { message: `RETENTION_DAYS must be between ${MIN_RETENTION_DAYS} and 36500` })
  @Min(MIN_RETENTION_DAYS, { message: `RETENTION_DAYS must be between ${MIN_RETENTION_DAYS} and 36500` })
  @IsInt({ message: 'RETENTION_DAYS must be an integer (days)' })
  RETENTION_DAYS: number = 400;

  /**
   * On SIGTERM a process stops taking work and finishes what it holds; past this many seconds it exits
   * anyway (its unfinished jobs are retried elsewhere). Below the orchestrator's grace period, which ends
   * in SIGKILL (Kubernetes' terminationGracePeriodSeconds: deploy/kubernetes).
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(3600, { message: 'SHUTDOWN_TIMEOUT_SECONDS must be between 1 and 3600' })
  @Min(1, { message: 'SHUTDOWN_TIMEOUT_SECONDS must be between 1 and 3600' })
  @IsInt({ message: 'SHUTDOWN_TIMEOUT_SECONDS must be an integer' })
  SHUTDOWN_TIMEOUT_SECONDS: number = 25;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL: string = 'info';

  /** Bearer token (or basic-auth password) for /admin and /api/admin; unset, those routes answer 404. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string = undefined;

  /** Subscription requests one client address may make in ten minutes (all api replicas together). */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Min(1, { message: 'SUBSCRIBE_RATE_LIMIT must be a positive integer' })
  @IsInt({ message: 'SUBSCRIBE_RATE_LIMIT must be an integer' })
  SUBSCRIBE_RATE_LIMIT: number = 10;

  /** Behind a reverse proxy, trust its X-Forwarded-For for client addresses (rate limits, logs). */
  @Transform(bool)
  @IsBoolean({ message: 'TRUST_PROXY must be true or false' })
  TRUST_PROXY: boolean = false;

  /** Operators' address for source health alerts; unset, no alert email. */
  @IsOptional()
  @Matches(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, {
    message: 'ALERT_EMAIL must be an email address, e.g. ops@example.org',
  })
  ALERT_EMAIL?: string = undefined;

  /** Operators' Slack incoming webhook for source health alerts; a credential, never echoed or logged. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'ALERT_SLACK_WEBHOOK_URL must be an http(s) URL' })
  ALERT_SLACK_WEBHOOK_URL?: string = undefined;

  /**
   * An OpenAI-compatible embeddings endpoint, the full URL (e.g. https://api.openai.com/v1/embeddings);
   * unset, the default: no embeddings, nothing leaves the server. Set with EMBEDDINGS_MODEL.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
    message: 'EMBEDDINGS_URL must be an http(s) URL, e.g. https://api.openai.com/v1/embeddings',
  })
  EMBEDDINGS_URL?: string = undefined;

  /** The model the embeddings endpoint is asked for, e.g. text-embedding-3-small. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'EMBEDDINGS_MODEL must be a model name of 1-200 characters, no spaces' })
  EMBEDDINGS_MODEL?: string = undefined;

  /** Sent as `Authorization: Bearer …` to EMBEDDINGS_URL; a credential, never echoed or logged. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,1000}$/, { message: 'EMBEDDINGS_API_KEY must be one token without spaces' })
  EMBEDDINGS_API_KEY?: string = undefined;

  /**
   * How much the dense similarity weighs in a for-you score (docs/relevance.md, "Embeddings"); 0 stores
   * embeddings without ranking by them. Cosines spread differently per model: choose it with
   * `bench:ranking --tune --embeddings-url … --embeddings-model …` (its validation days only).
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value !== '' ? Number(value) : value))
  @Max(10, { message: 'EMBEDDINGS_WEIGHT must be a number from 0 to 10' })
  @Min(0, { message: 'EMBEDDINGS_WEIGHT must be a number from 0 to 10' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'EMBEDDINGS_WEIGHT must be a number from 0 to 10' })
  EMBEDDINGS_WEIGHT: number = DENSE_SIMILARITY_WEIGHT;

  /**
   * Tests only (NODE_ENV=test): the instant the services' clock reads at boot; it runs on from there at
   * real speed, so a process under test lives at a chosen hour and date.
   */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: 'CLOCK_START must be an ISO-8601 instant with a zone, e.g. 2026-03-29T00:30:00Z',
  })
  CLOCK_START?: string = undefined;

  get production(): boolean {
    return this.NODE_ENV === 'production';
  }

  /** Messages a second to the relay: MAIL_RATE_PER_SECOND, else its earlier name SMTP_RATE_LIMIT; 0: no limit. */
  get mailRatePerSecond(): number {
    return this.MAIL_RATE_PER_SECOND ?? this.SMTP_RATE_LIMIT;
  }

  /** The embeddings endpoint when one is configured (checked at boot: URL and model come together). */
  get embeddings(): { url: string; model: string; apiKey?: string } | null {
    return this.EMBEDDINGS_URL !== undefined && this.EMBEDDINGS_MODEL !== undefined
      ? { url: this.EMBEDDINGS_URL, model: this.EMBEDDINGS_MODEL, apiKey: this.EMBEDDINGS_API_KEY }
      : null;
  }

  /** Where Redis is: one server or a cluster (REDIS_URL and REDIS_CLUSTER_NODES, checked at boot). */
  get redis(): RedisTarget {
    return parseRedisTarget(this.REDIS_URL, this.REDIS_CLUSTER_NODES);
  }
}

export class InvalidSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidSettingsError';
  }
}

const SECRET_KEYS = new Set([
  'APP_SECRET',
  'ADMIN_TOKEN',
  'ALERT_SLACK_WEBHOOK_URL',
  'MAIL_WEBHOOK_POSTMARK_PASSWORD',
  'MAIL_WEBHOOK_MAILGUN_SIGNING_KEY',
  'EMBEDDINGS_API_KEY',
]);
const DEV_SECRET = new Settings().APP_SECRET;

/** Reads and validates the environment once; throws one error listing every bad value. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const known = Object.keys(new Settings()) as (keyof Settings)[];
  const given: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') {
      given[key] = value;
    }
  }
  const settings = plainToInstance(Settings, given);
  const problems = validateSync(settings, { stopAtFirstError: true }).flatMap((error) => {
    const raw = given[error.property];
    const shown = raw === undefined || SECRET_KEYS.has(error.property) ? '' : ` (got "${withoutCredentials(raw)}")`;
    return Object.values(error.constraints ?? {}).map((message) => `${message}${shown}`);
  });
  if (settings.production && settings.APP_SECRET === DEV_SECRET) {
    problems.push('APP_SECRET must be set in production (it signs unsubscribe and confirmation links)');
  }
  if (settings.production && settings.ALLOW_ANY_WEBHOOK_HOST) {
    problems.push('ALLOW_ANY_WEBHOOK_HOST is for tests; it cannot be set in production');
  }
  const webhookProblem =
    settings.ALERT_SLACK_WEBHOOK_URL === undefined ||
    problems.some((problem) => problem.startsWith('ALERT_SLACK_WEBHOOK_URL'))
      ? null
      : slackWebhookProblem(settings.ALERT_SLACK_WEBHOOK_URL, { anyHost: settings.ALLOW_ANY_WEBHOOK_HOST });
  if (settings.ALERT_EMAIL !== undefined && !problems.some((problem) => problem.startsWith('ALERT_EMAIL'))) {
    // The same one spelling and the same refusals (quotes, control characters) as subscribers' addresses.
    const alertEmail = normaliseEmail(settings.ALERT_EMAIL);
    if (alertEmail.problem !== undefined) {
      problems.push(`ALERT_EMAIL ${alertEmail.problem.replace(/^email /, '')}`);
    } else {
      settings.ALERT_EMAIL = alertEmail.address;
    }
  }
  if (webhookProblem !== null) {
    // Anything else would let a setting point the notifier at an internal service.
    problems.push(`ALERT_SLACK_WEBHOOK_URL ${webhookProblem}`);
  }
  if (settings.CLOCK_START !== undefined && settings.NODE_ENV !== 'test') {
    problems.push('CLOCK_START is for tests only: it needs NODE_ENV=test');
  } else if (settings.CLOCK_START !== undefined && Number.isNaN(Date.parse(settings.CLOCK_START))) {
    problems.push(`CLOCK_START is not a valid instant (got "${settings.CLOCK_START}")`);
  }
  if (!problems.some((problem) => problem.startsWith('REDIS_URL') || problem.startsWith('QUEUE_PREFIX'))) {
    problems.push(...redisProblems(settings));
  }
  problems.push(...mailSettingProblems(settings, problems));
  problems.push(...embeddingsProblems(settings));
  if (problems.length > 0) {
    throw new InvalidSettingsError(problems);
  }
  return settings;
}

/** A cluster's seed list must parse, and its queue prefix take the hash tags Paperboy adds (redis-keys in libs/queues). */
function redisProblems(settings: Settings): string[] {
  try {
    const target = settings.redis;
    if (target.kind === 'cluster' && /[{}]/.test(settings.QUEUE_PREFIX)) {
      return [
        `QUEUE_PREFIX must not contain { or } on a Redis Cluster: Paperboy adds a hash tag per queue family itself ` +
          `(got "${settings.QUEUE_PREFIX}")`,
      ];
    }
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/** A URL's user and password are secrets too; they are not echoed in error messages (nor in the CLI's). */
export function withoutCredentials(value: string): string {
  // Up to the last '@': a password with an unencoded '/', '@' or space is hidden whole too.
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, '$1***@');
}

/** The mail webhook settings that hang together. */
function mailSettingProblems(settings: Settings, found: string[]): string[] {
  const problems: string[] = [];
  const postmark = [settings.MAIL_WEBHOOK_POSTMARK_USER, settings.MAIL_WEBHOOK_POSTMARK_PASSWORD];
  if (postmark.filter((value) => value !== undefined).length === 1) {
    problems.push('MAIL_WEBHOOK_POSTMARK_USER and MAIL_WEBHOOK_POSTMARK_PASSWORD are set together, or neither');
  }
  const sendgridKey = settings.MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY;
  if (sendgridKey !== undefined && !found.some((problem) => problem.startsWith('MAIL_WEBHOOK_SENDGRID'))) {
    try {
      const key = createPublicKey({
        key: Buffer.from(sendgridKey.replace(/\s+/g, ''), 'base64'),
        format: 'der',
        type: 'spki',
      });
      if (key.asymmetricKeyType !== 'ec') {
        problems.push('MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY must be an ECDSA public key');
      }
    } catch {
      problems.push(
        'MAIL_WEBHOOK_SENDGRID_PUBLIC_KEY is not a public key (base64 of its DER form, as SendGrid shows it)',
      );
    }
  }
  for (const key of ['MAIL_WEBHOOK_SNS_TEST_HOST', 'MAIL_WEBHOOK_SNS_TEST_CA'] as const) {
    if (settings[key] !== undefined && settings.NODE_ENV !== 'test') {
      problems.push(`${key} is for tests only: it needs NODE_ENV=test`);
    }
  }
  return problems;
}

/** The embeddings settings that hang together. */
function embeddingsProblems(settings: Settings): string[] {
  const problems: string[] = [];
  if (settings.EMBEDDINGS_URL !== undefined && settings.EMBEDDINGS_MODEL === undefined) {
    problems.push(
      'EMBEDDINGS_MODEL must be set with EMBEDDINGS_URL (the model to ask for, e.g. text-embedding-3-small)',
    );
  }
  if (settings.EMBEDDINGS_URL === undefined) {
    for (const key of ['EMBEDDINGS_MODEL', 'EMBEDDINGS_API_KEY'] as const) {
      if (settings[key] !== undefined) {
        problems.push(`${key} needs EMBEDDINGS_URL (unset, embeddings are off)`);
      }
    }
  }
  // A key over plain http would cross the network readable; tests and local servers may use http.
  if (
    settings.production &&
    settings.EMBEDDINGS_API_KEY !== undefined &&
    settings.EMBEDDINGS_URL?.startsWith('http:')
  ) {
    problems.push('EMBEDDINGS_URL must be https:// in production when EMBEDDINGS_API_KEY is set');
  }
  return problems;
}
