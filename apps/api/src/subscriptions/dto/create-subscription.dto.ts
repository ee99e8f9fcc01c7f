import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
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
  ValidationArguments,
  ValidatorConstraint,
  ValidateIf,
  ValidatorConstraintInterface,
} from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { isValidTimezone, MAX_SEEDS, searchTermsProblem, seedList, TOPIC_SLUGS } from '@libs/domain';
import { SubscriberEmail } from './subscriber-email';

@ValidatorConstraint({ name: 'timezone' })
class IsIanaTimezone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isValidTimezone(value);
  }

  defaultMessage(): string {
    return 'timezone must be an IANA time zone such as Europe/Paris';
  }
}

/** A keyword is a search (GET /api/papers' q) run on each digest's papers: one it would refuse never matches. */
@ValidatorConstraint({ name: 'searchKeywords' })
class HasSearchTerms implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return firstProblem(value) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return firstProblem(args.value) ?? 'each keyword must have words to search for';
  }
}

/** The first keyword search would refuse, named by its place; items of other types are named by other rules. */
function firstProblem(value: unknown): string | null {
  if (!Array.isArray(value)) {
    return null;
  }
  for (const [index, keyword] of value.entries()) {
    const problem = typeof keyword === 'string' ? searchTermsProblem(`keywords[${index}]`, keyword) : null;
    if (problem !== null) {
      return problem;
    }
  }
  return null;
}

/** Each seed paper must name a paper (an arXiv id, DOI or such a URL): the first that does not is named. */
@ValidatorConstraint({ name: 'seedPapers' })
class NamesPapers implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return seedProblem(value) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return seedProblem(args.value) ?? 'each seed paper must be an arXiv id, DOI, or arXiv, Hugging Face or DOI URL';
  }
}

function seedProblem(value: unknown): string | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? seedList('seedPapers', value).wrong
    : null;
}

const trimmed = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
const trimmedEach = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'string' ? item.trim() : item)) : value;

/** A field may be left out (it keeps its default or current value), but not set to null. */
const Optional = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/** What a subscriber chooses; every field optional, so the same rules serve create and update. */
export class SubscriptionPreferencesDto {
  @ApiPropertyOptional({ description: 'Topics to receive (any of them matches)', enum: TOPIC_SLUGS, isArray: true })
  @Optional()
  @IsArray()
  @ArrayMaxSize(TOPIC_SLUGS.length)
  @IsIn(TOPIC_SLUGS, { each: true, message: `each topic must be one of: ${TOPIC_SLUGS.join(', ')}` })
  topics?: string[];

  @ApiPropertyOptional({
    description: 'Full-text queries (websearch syntax: "exact phrase", -exclude); any of them matches',
    type: [String],
    maxItems: 20,
  })
  @Optional()
  @Transform(trimmedEach)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(2, { each: true, message: 'each keyword must have at least 2 characters' })
  @MaxLength(100, { each: true })
  @Validate(HasSearchTerms)
  keywords?: string[];

  @ApiPropertyOptional({
    description: 'Papers with any of these topics are left out',
    enum: TOPIC_SLUGS,
    isArray: true,
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(TOPIC_SLUGS.length)
  @IsIn(TOPIC_SLUGS, { each: true, message: `each excluded topic must be one of: ${TOPIC_SLUGS.join(', ')}` })
  excludeTopics?: string[];

  @ApiPropertyOptional({ description: 'Minimum Hugging Face upvotes', minimum: 0, default: 0 })
  @Optional()
  @IsInt({ message: 'minUpvotes must be an integer' })
  @Min(0)
  @Max(100000)
  minUpvotes?: number;

  @ApiPropertyOptional({ enum: ['daily', 'weekly', 'paused'], default: 'daily' })
  @Optional()
  @IsIn(['daily', 'weekly', 'paused'], { message: 'frequency must be daily, weekly or paused' })
  frequency?: 'daily' | 'weekly' | 'paused';

  @ApiPropertyOptional({
    description: 'ISO weekday of weekly digests (1 = Monday)',
    minimum: 1,
    maximum: 7,
    default: 1,
  })
  /** ISO weekday for weekly digests: 1 = Monday … 7 = Sunday. */
  @Optional()
  @IsInt()
  @Min(1)
  @Max(7)
  weekday?: number;

  @ApiPropertyOptional({ description: 'IANA time zone of the send hour', example: 'Europe/Paris', default: 'UTC' })
  @Optional()
  @Validate(IsIanaTimezone)
  timezone?: string;

  @ApiPropertyOptional({ description: 'Local hour after which the digest is due', minimum: 0, maximum: 23, default: 8 })
  @Optional()
  @IsInt({ message: 'sendHour must be an integer hour, 0 to 23' })
  @Min(0)
  @Max(23)
  sendHour?: number;

  @ApiPropertyOptional({ description: 'Cap per digest', minimum: 1, maximum: 100, default: 20 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxPapers?: number;

  @ApiPropertyOptional({
    description:
      'How digests are ranked: for-you (learned from votes and seed papers; the default once there is one), upvotes, newest',
    enum: ['for-you', 'upvotes', 'newest'],
  })
  @Optional()
  @IsIn(['for-you', 'upvotes', 'newest'], { message: 'ranking must be for-you, upvotes or newest' })
  ranking?: 'for-you' | 'upvotes' | 'newest';

  @ApiPropertyOptional({
    description: 'Authors whose new papers rank first (matched by surname and first initial)',
    type: [String],
    maxItems: 50,
  })
  @Optional()
  @Transform(trimmedEach)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(2, { each: true, message: 'each followed author must have at least 2 characters' })
  @MaxLength(100, { each: true })
  followedAuthors?: string[];

  @ApiPropertyOptional({
    description:
      'Papers the subscriber likes (cold start): arXiv ids, arXiv, Hugging Face or DOI URLs, DOIs. Each counts as an up-vote; ' +
      'unknown arXiv ids are looked up on arXiv. Adds to the seeds already given (the profile removes them); the answer says what became of each.',
    type: [String],
    maxItems: MAX_SEEDS,
    example: ['2410.17243', 'https://huggingface.co/papers/2502.01234'],
  })
  @Optional()
  @Transform(trimmedEach)
  @IsArray()
  @ArrayMaxSize(MAX_SEEDS, { message: `seedPapers: at most ${MAX_SEEDS} seed papers at a time` })
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  @Validate(NamesPapers)
  seedPapers?: string[];
}

export class CreateSubscriptionDto extends SubscriptionPreferencesDto {
  @ApiPropertyOptional({ description: 'Email address (double opt-in)', format: 'email' })
  @IsOptional()
  @SubscriberEmail()
  email?: string;

  @ApiPropertyOptional({ description: 'Slack incoming webhook: https://hooks.slack.com/services/…' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(500)
  @Matches(/^https?:\/\/\S+$/, { message: 'slackWebhookUrl must be an http(s) URL' })
  slackWebhookUrl?: string;
}

/** PATCH: the preferences, and the channels (null removes one). */
export class UpdateSubscriptionDto extends SubscriptionPreferencesDto {
  @ApiPropertyOptional({
    description:
      'A new address gets a confirmation link; the confirmed address keeps the digests until it is clicked. null removes email.',
    format: 'email',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @SubscriberEmail()
  email?: string | null;

  @ApiPropertyOptional({
    description: 'A new Slack incoming webhook (enables the channel again if Slack had disabled it); null removes Slack',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(500)
  @Matches(/^https?:\/\/\S+$/, { message: 'slackWebhookUrl must be an http(s) URL' })
  slackWebhookUrl?: string | null;
}
