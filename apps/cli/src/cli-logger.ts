import { LoggerService } from '@nestjs/common';

/**
 * The CLI's log: an operator at a terminal gets one plain line per warning or error on stderr (the
 * services' reporters already log a condition once, not per attempt), no stacks and no progress chatter;
 * the command's own answer goes to stdout.
 */
export class CliLogger implements LoggerService {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  log(): void {}

  warn(message: unknown, context?: string): void {
    this.write(`Warning: ${line(message, context)}`);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack?, context?): the context is the last string argument.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.write(`Error: ${line(message, context)}`);
  }
}

function line(message: unknown, context?: string): string {
  const text = (message instanceof Error ? message.message : String(message)).split('\n')[0];
  return context ? `${text} (${context})` : text;
}
