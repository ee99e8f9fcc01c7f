/**
 * Fields of a database error that carry a statement's values (an address, a sealed webhook, a token): TypeORM's
 * QueryFailedError holds the `parameters` and copies the driver error's fields, whose `detail` reads
 * "Key (email)=(…) already exists". The statement itself (`query`) keeps `$1` placeholders and stays.
 */
const VALUE_FIELDS = ['parameters', 'driverError', 'detail', 'where', 'internalQuery'];
const REDACTED = '[redacted]';

/**
 * The `err` of a log line (as pino's standard serializer made it) without the values of the statement that
 * failed: those fields are dropped, and any parameter a message quotes (`invalid input syntax for type uuid:
 * "…"`) is blanked, so no subscriber's data reaches a log, however the error got there.
 */
export function withoutStatementValues<T extends Record<string, unknown>>(serialized: T): T {
  if (typeof serialized !== 'object' || serialized === null) {
    return serialized;
  }
  const values = stringsOf(serialized.parameters)
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (VALUE_FIELDS.includes(key)) {
      continue;
    }
    if (typeof value === 'string') {
      safe[key] = values.reduce((text, parameter) => text.split(parameter).join(REDACTED), value);
    } else if (key === 'cause' && typeof value === 'object' && value !== null) {
      safe[key] = withoutStatementValues(value as Record<string, unknown>);
    } else {
      safe[key] = value;
    }
  }
  return safe as T;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value) ? value.flatMap(stringsOf) : [];
}
