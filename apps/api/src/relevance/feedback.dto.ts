import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class FeedbackDto {
  @ApiProperty({ description: 'The paper: its arXiv id (or arXiv / Hugging Face URL), DOI or Paperboy id' })
  @IsString({ message: 'paper must be an arXiv id, DOI or paper id' })
  @MinLength(1, { message: 'paper must be an arXiv id, DOI or paper id' })
  @MaxLength(300)
  paper!: string;

  @ApiProperty({ enum: ['up', 'down', 'none'], description: '"none" takes a vote back' })
  @IsIn(['up', 'down', 'none'], { message: 'vote must be up, down or none' })
  vote!: 'up' | 'down' | 'none';

  @ApiPropertyOptional({
    enum: ['site', 'digest', 'explore'],
    default: 'site',
    description: 'Where the vote was cast: a digest item, an explore item of a digest, or elsewhere',
  })
  @IsOptional()
  @IsIn(['site', 'digest', 'explore'], { message: 'source must be site, digest or explore' })
  source?: 'site' | 'digest' | 'explore';
}
