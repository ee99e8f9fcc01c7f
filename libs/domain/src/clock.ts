/**
 * Where services read the current instant. Production runs on the system clock; a test gives a process
 * a clock that starts at a chosen instant (CLOCK_START), so what is due does not depend on when it runs.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Real time shifted so that it read `start` when made: it runs on at real speed from there. */
export class ShiftedClock extends Clock {
  private readonly offsetMs: number;

  constructor(
    start: Date,
    private readonly realNowMs: () => number = Date.now,
  ) {
    super();
    this.offsetMs = start.getTime() - realNowMs();
  }

  now(): Date {
    return new Date(this.realNowMs() + this.offsetMs);
  }
}
