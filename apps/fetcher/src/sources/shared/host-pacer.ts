import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Settings } from '@libs/config';
import { createRedisClient, RedisClient, redisKeyPrefix } from '@libs/queues';

/** Requests to `host` and its subdomains go one at a time, `intervalMs` apart (end of one to start of the next). */
export interface PacingRule {
  host: string;
  intervalMs: number;
}

/**
 * Reads HOST_PACING (`arxiv.org=3,api.biorxiv.org=1`, validated at boot). arXiv asks for "no more than
 * one request every three seconds, and a single connection at a time" over rss.arxiv.org, export.arxiv.org
 * and the rest together (arxiv-docs help/api/tou.md): hence one rule per registrable host, not per name.
 * A zero interval turns pacing off for that host.
 */
export function parseHostPacing(value: string): PacingRule[] {
  return value
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [host, seconds] = pair.split('=').map((part) => part.trim());
      return { host: host.toLowerCase().replace(/\.$/, ''), intervalMs: Math.round(Number(seconds) * 1000) };
    })
    .filter((rule) => rule.intervalMs > 0);
}

/** The most specific rule for a host name: `export.arxiv.org` falls under `arxiv.org`. */
export function ruleFor(rules: readonly PacingRule[], hostname: string): PacingRule | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return rules
    .filter((rule) => host === rule.host || host.endsWith(`.${rule.host}`))
    .sort((a, b) => b.host.length - a.host.length)[0];
}

/** Longest a request may hold a host's turn: above the HTTP client's timeouts, so only a dead holder hits it. */
const LEASE_MS = 5 * 60_000;
/** How often a waiting replica looks whether the host's turn is free. */
const POLL_MS = 250;

// Hands the turn over only if this caller still holds it, then keeps the host quiet for the interval.
const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('set', KEYS[1], 'resting', 'PX', ARGV[2])
end
return 0`;

/**
 * Paces requests per host across every fetcher replica: the host's turn is a Redis key (SET NX with a
 * lease) held for the request and then left to expire after the interval, so a request starts only once
 * the previous one, whichever replica made it, ended at least that long ago. Requests of one process
 * also queue locally, so they do not all poll Redis. A replica that dies mid-request frees the turn when
 * its lease expires.
 */
@Injectable()
export class HostPacer implements OnModuleDestroy {
  private readonly rules: PacingRule[];
  private readonly redis: RedisClient;
  private readonly keyPrefix: string;
  private readonly tails = new Map<string, Promise<void>>();

  constructor(settings: Settings) {
    this.rules = parseHostPacing(settings.HOST_PACING);
    this.redis = createRedisClient(settings.redis, HostPacer.name, { maxRetriesPerRequest: 3, lazyConnect: true });
    this.keyPrefix = `${redisKeyPrefix(settings, 'pace')}:`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  async run<T>(url: string, work: () => Promise<T>): Promise<T> {
    const rule = ruleFor(this.rules, new URL(url).hostname);
    if (!rule) {
      return work();
    }
    const previous = this.tails.get(rule.host) ?? Promise.resolve();
    let releaseLocal = (): void => undefined;
    const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(rule.host, tail);
    await previous;
    try {
      const key = this.keyPrefix + rule.host;
      const token = await this.acquire(key);
      try {
        return await work();
      } finally {
        await this.redis.eval(RELEASE, 1, key, token, String(rule.intervalMs));
      }
    } finally {
      releaseLocal();
      if (this.tails.get(rule.host) === tail) {
        this.tails.delete(rule.host);
      }
    }
  }

  private async acquire(key: string): Promise<string> {
    const token = randomUUID();
    for (;;) {
      if ((await this.redis.set(key, token, 'PX', LEASE_MS, 'NX')) === 'OK') {
        return token;
      }
      const left = await this.redis.pttl(key);
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(left, POLL_MS))));
    }
  }
}
