import { BadRequestException, Injectable } from '@nestjs/common';
import { PaperRepository, PaperWithTopics } from '@libs/database';
import { safeHttpUrl } from '@libs/domain';
import { arxivAbsUrl, doiUrl, searchTermsProblem, toWebSearchQuery } from '@libs/domain/papers';
import { SearchPapersDto } from './dto/search-papers.dto';

const DAY = 24 * 3600 * 1000;
const DEFAULT_LIMIT = 20;

export interface PaperItem {
  id: string;
  arxivId: string | null;
  doi: string | null;
  title: string;
  authors: string[];
  abstract: string;
  upvotes: number;
  topics: { topic: string; score: number; evidence: string[] }[];
  url: string | null;
  listedAt: Date;
}

export interface PaperPage {
  items: PaperItem[];
  page: number;
  limit: number;
  total: number;
}

/** `GET /api/papers`: full-text search and filters over the ready papers. */
@Injectable()
export class PapersService {
  constructor(private readonly papers: PaperRepository) {}

  async search(request: SearchPapersDto): Promise<PaperPage> {
    const page = request.page ?? 1;
    const limit = request.limit ?? DEFAULT_LIMIT;
    let query: string | null = null;
    if (request.q !== undefined) {
      // Otherwise Postgres quietly matches nothing, and the user cannot tell why.
      const problem = searchTermsProblem('q', request.q);
      if (problem !== null) {
        throw new BadRequestException([problem]);
      }
      query = toWebSearchQuery(request.q);
    }
    const from = request.date ? new Date(`${request.date}T00:00:00Z`) : null;
    const { papers, total } = await this.papers.search({
      query,
      topic: request.topic ?? null,
      listed: from ? { from, to: new Date(from.getTime() + DAY) } : null,
      minUpvotes: request.minUpvotes ?? 0,
      offset: (page - 1) * limit,
      limit,
    });
    return { items: papers.map(toPaperItem), page, limit, total };
  }
}

export function toPaperItem(paper: PaperWithTopics): PaperItem {
  return {
    id: paper.id,
    arxivId: paper.arxivId,
    doi: paper.doi,
    title: paper.title,
    authors: paper.authors,
    abstract: paper.abstract,
    upvotes: paper.upvotes,
    topics: paper.topics.map(({ topic, score, evidence }) => ({ topic, score, evidence })),
    url: linkOf(paper),
    listedAt: paper.listedAt,
  };
}

function linkOf(paper: PaperWithTopics): string | null {
  const url = safeHttpUrl(paper.url);
  if (url) {
    return url;
  }
  if (paper.arxivId) {
    return arxivAbsUrl(paper.arxivId);
  }
  return paper.doi ? doiUrl(paper.doi) : null;
}
