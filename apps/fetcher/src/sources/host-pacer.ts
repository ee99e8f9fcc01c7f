import { Inject, Injectable, Optional } from '@nestjs/common';

/** Requests to hosts matching `hosts` go one at a time, `intervalMs` apart (end of one to start of the next). */
export interface PacingRule {
  name: string;
  hosts: RegExp;
  intervalMs: number;
}

export const PACING_RULES = Symbol('PACING_RULES');

/**
 * arXiv asks for "no more than one request every three seconds, and a single connection at a time",
 * for rss.arxiv.org, export.arxiv.org and the rest together (arxiv-docs help/api/tou.md).
 */
export const DEFAULT_PACING_RULES: readonly PacingRule[] = [
  { name: 'arXiv', hosts: /(^|\.)arxiv\.org$/i, intervalMs: 3000 },
];

/**
 * Paces requests per group of hosts, within this process: replicas each keep their own pace, so run one
 * fetcher replica per arXiv-heavy deployment or share the pace through Redis (not done yet).
 */
@Injectable()
export class HostPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly rules: readonly PacingRule[];

  constructor(@Optional() @Inject(PACING_RULES) rules?: readonly PacingRule[]) {
    this.rules = rules ?? DEFAULT_PACING_RULES;
  }

  async run<T>(url: string, work: () => Promise<T>): Promise<T> {
    const host = new URL(url).hostname;
    const rule = this.rules.find((candidate) => candidate.hosts.test(host));
    if (!rule) {
      return work();
    }
    const previous = this.tails.get(rule.name) ?? Promise.resolve();
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(
      rule.name,
      previous.then(() => done),
    );
    await previous;
    try {
      return await work();
    } finally {
      setTimeout(release, rule.intervalMs).unref();
    }
  }
}
