/**
 * An error that retrying cannot fix (bad data, a 4xx answer, a row that no longer exists).
 * Queue consumers turn it into a job failure without retries; anything else is retried.
 */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** Not now, but later without counting as a failed attempt: a rate limit said when to come back. */
export class RetryLaterError extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}
