import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/**
 * One message per field: the field's first rule that failed as the DTO lists them (class-validator reports them
 * bottom-up), so `sendHour: "8"` reads "must be an integer" alone rather than also "must not be greater than
 * 23" and "must not be less than 0". A DTO lists a field's most basic rule (its type) first.
 */
export function oneMessagePerField(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const messages = Object.values(error.constraints ?? {});
    const own = messages.length > 0 ? [messages[messages.length - 1]] : [];
    return [...own, ...oneMessagePerField(error.children ?? [])];
  });
}

/** The api's pipe for DTOs: unknown fields are refused by name rather than dropped, so typos show. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(oneMessagePerField(errors)),
  });
}
