import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidatorConstraint,
  ValidateIf,
  ValidatorConstraintInterface,
} from 'class-validator';
import { isValidTimezone, TOPIC_SLUGS } from '@libs/domain';

@ValidatorConstraint({ name: 'timezone' })
class IsIanaTimezone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isValidTimezone(value);
  }

  defaultMessage(): string {
    return 'timezone must be an IANA time zone such as Europe/Paris';
  }
}

const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const trimmedEach = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'string' ? item.trim() : item)) : value;

/** A field may be left out (it keeps its default or current value), but not set to null. */
const Optional = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/** What a subscriber chooses; every field optional, so the same rules serve create and update. */
export class SubscriptionPreferencesDto {
  @Optional()
  @IsArray()
  @ArrayMaxSize(TOPIC_SLUGS.length)
  @IsIn(TOPIC_SLUGS, { each: true, message: `each topic must be one of: ${TOPIC_SLUGS.join(', ')}` })
  topics?: string[];

  @Optional()
  @Transform(trimmedEach)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(2, { each: true, message: 'each keyword must have at least 2 characters' })
  @MaxLength(100, { each: true })
  keywords?: string[];

  @Optional()
  @IsArray()
  @ArrayMaxSize(TOPIC_SLUGS.length)
  @IsIn(TOPIC_SLUGS, { each: true, message: `each excluded topic must be one of: ${TOPIC_SLUGS.join(', ')}` })
  excludeTopics?: string[];

  @Optional()
  @IsInt({ message: 'minUpvotes must be an integer' })
  @Min(0)
  @Max(100000)
  minUpvotes?: number;

  @Optional()
  @IsIn(['daily', 'weekly', 'paused'], { message: 'frequency must be daily, weekly or paused' })
  frequency?: 'daily' | 'weekly' | 'paused';

  /** ISO weekday for weekly digests: 1 = Monday … 7 = Sunday. */
  @Optional()
  @IsInt()
  @Min(1)
  @Max(7)
  weekday?: number;

  @Optional()
  @Validate(IsIanaTimezone)
  timezone?: string;

  @Optional()
  @IsInt({ message: 'sendHour must be an integer hour, 0 to 23' })
  @Min(0)
  @Max(23)
  sendHour?: number;

  @Optional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxPapers?: number;
}

export class CreateSubscriptionDto extends SubscriptionPreferencesDto {
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(500)
  @Matches(/^https?:\/\/\S+$/, { message: 'slackWebhookUrl must be an http(s) URL' })
  slackWebhookUrl?: string;
}
