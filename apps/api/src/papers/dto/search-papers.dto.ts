import { Transform } from 'class-transformer';
import {
  IsIn,
  IsOptional,
  registerDecorator,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { hasSearchTerms, searchTermsProblem, TOPIC_SLUGS } from '@libs/domain';

const MAX_QUERY = 200;

@ValidatorConstraint({ name: 'calendarDate' })
class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return false;
    }
    // Date.parse rolls 2026-02-30 over to March; a round trip refuses it.
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }

  defaultMessage(): string {
    return 'date must be a calendar date as YYYY-MM-DD, e.g. 2026-11-27';
  }
}

/** One search string with words to look for: otherwise Postgres quietly matches nothing, and nobody can tell why. */
@ValidatorConstraint({ name: 'searchQuery' })
class IsSearchQuery implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= MAX_QUERY && hasSearchTerms(value);
  }

  defaultMessage(args: ValidationArguments): string {
    const value: unknown = args.value;
    return typeof value === 'string' && value.length <= MAX_QUERY
      ? (searchTermsProblem('q', value) ?? 'q has no words to search for')
      : `q must be one search string of at most ${MAX_QUERY} characters`;
  }
}

/** One rule and one message per numeric field, so a bad value is named once: "limit must be a whole number from 1 to 100". */
function IsWholeNumber(min: number, max?: number): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
    registerDecorator({
      name: 'wholeNumber',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a whole number ${range}` },
      validator: {
        validate: (value: unknown) =>
          Number.isInteger(value) && (value as number) >= min && (max === undefined || (value as number) <= max),
      },
    });
  };
}

/** Query strings are strings: whole numbers become numbers, anything else stays as sent for the validator to name. */
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim()) ? Number(value) : value;
/** An empty search box means no search. */
const trimmedOrAbsent = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') {
    return value;
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** `GET /api/papers` query: every field optional; a bad one answers 400 naming it. */
export class SearchPapersDto {
  @ApiPropertyOptional({
    description:
      'Full-text query over title, abstract and authors, in web search syntax: words (stemmed), "exact phrase", -exclude, or',
    example: 'quantization -survey',
    maxLength: MAX_QUERY,
  })
  @IsOptional()
  @Transform(trimmedOrAbsent)
  @Validate(IsSearchQuery)
  q?: string;

  @ApiPropertyOptional({ description: 'Only papers with this topic', enum: TOPIC_SLUGS })
  @IsOptional()
  @IsIn(TOPIC_SLUGS, { message: `topic must be one of: ${TOPIC_SLUGS.join(', ')}` })
  topic?: string;

  @ApiPropertyOptional({
    description: 'Only papers first listed on this day (UTC)',
    example: '2026-11-27',
    format: 'date',
  })
  @IsOptional()
  @Validate(IsCalendarDate)
  date?: string;

  @ApiPropertyOptional({ description: 'Minimum Hugging Face upvotes', minimum: 0, default: 0 })
  @IsOptional()
  @Transform(toInt)
  @IsWholeNumber(0)
  minUpvotes?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 1 })
  @IsOptional()
  @Transform(toInt)
  @IsWholeNumber(1, 10_000)
  page?: number;

  @ApiPropertyOptional({ description: 'Papers per page', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsWholeNumber(1, 100)
  limit?: number;
}
