import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_SIMILAR = 50;
const LIMIT_MESSAGE = `limit must be an integer from 1 to ${MAX_SIMILAR}`;

/** `GET /api/papers/:id/similar` query. */
export class SimilarPapersQueryDto {
  @ApiPropertyOptional({ description: 'Papers to answer', minimum: 1, maximum: MAX_SIMILAR, default: 10 })
  @IsOptional()
  // A query string is a string: a whole number becomes a number, anything else stays for the validator to name.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim()) ? Number(value) : value,
  )
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(MAX_SIMILAR, { message: LIMIT_MESSAGE })
  limit?: number;
}
