import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import type { StoredVote } from '@libs/database';
import type { PaperItem } from '../papers/papers.service';
import { FeedbackDto } from './feedback.dto';
import { FeedbackAnswer, FeedbackService, InvalidPaperReferenceError, UnknownPaperError } from './feedback.service';
import { SimilarPapersQueryDto } from './similar-papers.dto';
import { SimilarPapersService } from './similar-papers.service';

/** Votes through the manage link, and "more like this" for everyone. */
@Controller()
export class RelevanceController {
  constructor(
    private readonly feedback: FeedbackService,
    private readonly similarPapers: SimilarPapersService,
  ) {}

  @Post('api/subscriptions/:id/feedback')
  @HttpCode(200)
  async vote(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
    @Body() body: FeedbackDto,
  ): Promise<FeedbackAnswer> {
    try {
      return subscription(typeof token === 'string' ? await this.feedback.vote(id, token, body) : null);
    } catch (error) {
      throw mapped(error);
    }
  }

  @Get('api/subscriptions/:id/feedback')
  async votes(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
  ): Promise<{ items: StoredVote[] }> {
    return subscription(typeof token === 'string' ? await this.feedback.list(id, token) : null);
  }

  /** `id`: the paper's id or arXiv id. */
  @Get('api/papers/:id/similar')
  async similar(@Param('id') id: string, @Query() query: SimilarPapersQueryDto): Promise<{ items: PaperItem[] }> {
    try {
      return await this.similarPapers.similar(id, query.limit ?? 10);
    } catch (error) {
      throw mapped(error);
    }
  }
}

function subscription<T>(value: T | null): T {
  if (value === null) {
    throw new NotFoundException('No such subscription, or the link is not valid');
  }
  return value;
}

function mapped(error: unknown): unknown {
  if (error instanceof UnknownPaperError) {
    return new NotFoundException(error.message);
  }
  if (error instanceof InvalidPaperReferenceError) {
    return new BadRequestException([error.message]);
  }
  return error;
}
