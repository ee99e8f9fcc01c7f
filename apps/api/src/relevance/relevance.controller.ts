import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { MAX_SEED_FILE_BYTES, SEED_FORMATS, SeedFileError, type SeedFormat } from '@libs/domain';
import type { StoredVote } from '@libs/database';
import type { PaperItem } from '../papers/papers.service';
import { FeedbackDto } from './feedback.dto';
import { FeedbackAnswer, FeedbackService, InvalidPaperReferenceError, UnknownPaperError } from './feedback.service';
import { Profile, ProfileService } from './profile.service';
import { SimilarPapersQueryDto } from './similar-papers.dto';
import { SimilarPapersService } from './similar-papers.service';
import { SeedsAnswer, SeedsService } from './seeds.service';

/** Votes and seed papers through the manage link. */
@ApiTags('Subscriptions')
@Controller()
export class RelevanceController {
  constructor(
    private readonly feedback: FeedbackService,
    private readonly seedsService: SeedsService,
    private readonly profiles: ProfileService,
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

  /**
   * "Reset my profile": removes every vote and seed (pending ones too) and the trained model; the subscription,
   * its ranking mode and followed authors stay. Idempotent.
   */
  @Delete('api/subscriptions/:id/feedback')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Votes, seeds and model removed' })
  @ApiNotFoundResponse({ description: 'No such subscription, or the token is not its manage token' })
  async reset(@Param('id', new ParseUUIDPipe()) id: string, @Query('token') token: string | undefined): Promise<void> {
    subscription(typeof token === 'string' ? await this.profiles.reset(id, token) : null);
  }

  /**
   * What Paperboy learned of the subscriber: liked and disliked papers (seeds are liked, source "seed"), seeds
   * still being looked up, followed authors, and the terms weighing most for and against with the papers behind
   * each (take those votes back with `vote: "none"` to remove a term).
   */
  @Get('api/subscriptions/:id/profile')
  @ApiOkResponse({
    description:
      '{liked: [vote], disliked: [vote], pendingSeeds: [{arxivId, requestedAt}], followedAuthors: [string], ' +
      'terms: {liked: [{term, label, weight, paperIds}], disliked: […], trainedAt}}',
  })
  @ApiNotFoundResponse({ description: 'No such subscription, or the token is not its manage token' })
  async profile(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
  ): Promise<Profile> {
    return subscription(typeof token === 'string' ? await this.profiles.profile(id, token) : null);
  }

  /**
   * Seed papers, as the request body: a list of ids and URLs (text/plain, or JSON `{"ids": […]}`), BibTeX,
   * CSL JSON or RIS; `format` says which (else the content type does). At most 2 MB and 500 entries.
   */
  @Post('api/subscriptions/:id/seeds')
  @HttpCode(200)
  @ApiConsumes(
    'text/plain',
    'application/json',
    'application/x-bibtex',
    'application/vnd.citationstyles.csl+json',
    'application/x-research-info-systems',
  )
  @ApiBody({
    description:
      'ids and URLs one per line, {"ids": […]}, a BibTeX file, a CSL JSON export or a RIS file (≤ 2 MB, ≤ 500 entries)',
    schema: { type: 'string' },
  })
  @ApiQuery({ name: 'format', required: false, enum: SEED_FORMATS })
  async seeds(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('token') token: string | undefined,
    @Query('format') format: string | undefined,
    @Req() request: Request,
  ): Promise<SeedsAnswer> {
    const { seedFormat, content } = await seedUpload(request, format);
    try {
      return subscription(
        typeof token === 'string' ? await this.seedsService.add(id, token, seedFormat, content) : null,
      );
    } catch (error) {
      if (error instanceof SeedFileError) {
        throw new BadRequestException([`${seedFormat}: ${error.message}; no seed was stored`]);
      }
      throw error;
    }
  }
}

/** "More like this", for everyone. */
@ApiTags('Papers')
@Controller()
export class SimilarPapersController {
  constructor(private readonly similarPapers: SimilarPapersService) {}

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

const CONTENT_TYPES: Record<string, SeedFormat> = {
  'text/plain': 'ids',
  'application/x-bibtex': 'bibtex',
  'text/x-bibtex': 'bibtex',
  'application/vnd.citationstyles.csl+json': 'csl-json',
  'application/x-research-info-systems': 'ris',
};

/** The upload's format and text: JSON bodies are parsed already (`{"ids": […]}`); files are read here, up to 2 MB. */
async function seedUpload(
  request: Request,
  format: string | undefined,
): Promise<{ seedFormat: SeedFormat; content: string }> {
  if (format !== undefined && !SEED_FORMATS.includes(format as SeedFormat)) {
    throw new BadRequestException([`format must be one of: ${SEED_FORMATS.join(', ')}`]);
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    const ids = (request.body as { ids?: unknown } | undefined)?.ids;
    if (!Array.isArray(ids) || !ids.every((item) => typeof item === 'string')) {
      throw new BadRequestException(['a JSON body must be {"ids": ["2410.17243", "https://arxiv.org/abs/…", …]}']);
    }
    return { seedFormat: 'ids', content: ids.join('\n') };
  }
  const seedFormat = (format as SeedFormat | undefined) ?? CONTENT_TYPES[type];
  if (!seedFormat) {
    throw new BadRequestException([
      `say the format: ?format=${SEED_FORMATS.join('|')}, or a content type of ${Object.keys(CONTENT_TYPES).join(', ')}`,
    ]);
  }
  return { seedFormat, content: await readText(request, MAX_SEED_FILE_BYTES) };
}

/** The request body as UTF-8 text; past `limit` bytes the rest is drained (so the client reads the answer) and refused. */
async function readText(request: Request, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
    }
  }
  if (size > limit) {
    throw new PayloadTooLargeException(`The file is larger than ${limit / 1024 / 1024} MB; no seed was stored`);
  }
  return Buffer.concat(chunks).toString('utf8');
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
