import { Transform } from 'class-transformer';
import { Validate, ValidatorConstraint, ValidatorConstraintInterface, type ValidationArguments } from 'class-validator';
import { normaliseEmail } from '@libs/domain';

@ValidatorConstraint({ name: 'email' })
class IsSubscriberEmail implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && normaliseEmail(value).address === value;
  }

  defaultMessage(args: ValidationArguments): string {
    return typeof args.value === 'string'
      ? (normaliseEmail(args.value).problem ?? 'email must be an email address')
      : 'email must be an email address';
  }
}

/**
 * An email field: normalised once here (libs/domain normaliseEmail), so the cap counts, the row stores and the
 * notifier mails one spelling per mailbox; a refused address gets one message naming `email`.
 */
export function SubscriberEmail(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (normaliseEmail(value).address ?? value) : value,
    )(target, key);
    Validate(IsSubscriberEmail)(target, key);
  };
}
