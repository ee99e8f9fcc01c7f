import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Settings } from '../libs/config/src/settings';

interface Service {
  image?: string;
  stop_grace_period?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: { type: string; source: string; target: string; read_only?: boolean }[];
}

const ROOT = join(__dirname, '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const PAPERBOY = ['migrate', 'api', 'fetcher', 'classifier', 'notifier'];

/** Compose's `${NAME:-default}` and `${NAME:?message}` interpolation, for one environment. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (env[name]) {
      return env[name];
    }
    if (kind === '?') {
      throw new Error(rest);
    }
    return kind === '-' ? (rest ?? '') : '';
  });
}

describe('docker-compose.yml', () => {
  it('should build one image, once, for the migration and the four services', () => {
    expect(PAPERBOY.map((name) => services[name].image)).toEqual(PAPERBOY.map(() => 'paperboy:local'));
    expect(Object.keys(services).filter((name) => services[name].build !== undefined)).toEqual(['migrate']);
  });

  it('should take the mail settings and the Postgres password from the environment, with defaults for a trial', () => {
    const trial = { APP_SECRET: 'x'.repeat(32) };
    const env = (name: string, given: Record<string, string>): Record<string, string> =>
      Object.fromEntries(
        Object.entries(services[name].environment ?? {}).map(([key, value]) => [
          key,
          interpolate(String(value), given),
        ]),
      );

    expect(env('notifier', trial)).toMatchObject({
      SMTP_URL: 'smtp://maildev:1025',
      MAIL_FROM: 'Paperboy <digest@localhost>',
    });
    const custom = {
      ...trial,
      SMTP_URL: 'smtps://user:pw@relay.example.org:465',
      MAIL_FROM: 'Digest <d@example.org>',
      POSTGRES_PASSWORD: 's3cr3t',
    };
    expect(env('notifier', custom)).toMatchObject({ SMTP_URL: custom.SMTP_URL, MAIL_FROM: custom.MAIL_FROM });
    for (const given of [trial, custom]) {
      const password = env('postgres', given).POSTGRES_PASSWORD;
      for (const name of PAPERBOY) {
        expect({ name, password: decodeURIComponent(new URL(env(name, given).DATABASE_URL).password) }).toEqual({
          name,
          password,
        });
      }
    }
    expect(env('postgres', custom).POSTGRES_PASSWORD).toBe('s3cr3t');
  });

  it('should mount the sources file into the fetcher rather than bake it into the image', () => {
    const fetcher = services.fetcher;
    expect(fetcher.volumes).toEqual([
      {
        type: 'bind',
        source: '${HOST_SOURCES_FILE:-./config/sources.yml}',
        target: fetcher.environment?.SOURCES_FILE,
        read_only: true,
      },
    ]);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toContain('config/sources.yml');
  });

  it('should give each service longer to stop than its own shutdown deadline before Docker kills it', () => {
    const deadline = new Settings().SHUTDOWN_TIMEOUT_SECONDS;
    for (const name of PAPERBOY.filter((service) => service !== 'migrate')) {
      expect(services[name].environment?.SHUTDOWN_TIMEOUT_SECONDS).toBeUndefined();
      const grace = /^(\d+)s$/.exec(services[name].stop_grace_period ?? '10s');
      expect({ name, enough: Number(grace?.[1]) >= deadline + 5 }).toEqual({ name, enough: true });
    }
  });
});
