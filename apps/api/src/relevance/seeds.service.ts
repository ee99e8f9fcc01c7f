import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { JobName, JobProducer } from '@libs/queues';
import { RelevanceRepository, StoredVote, SubscriptionRepository, VoteRepository } from '@libs/database';
import { Clock, parseSeedFile, type SeedFormat } from '@libs/domain';
import { opensSubscription } from './manage-token';

export interface SeedsAnswer {
  /** Seeds stored now (a paper already voted on keeps its vote and is not counted). */
  added: number;
  seeds: { where: string; paper: StoredVote['paper'] }[];
  /** Entries whose paper Paperboy does not know (yet). */
  notFound: { where: string; id: string }[];
  /** Entries naming no arXiv id or DOI (a book, say). */
  withoutIdentifier: string[];
}

/**
 * Seed papers: the papers a subscriber likes, pasted or uploaded; each counts as an up-vote. A file that
 * cannot be read is refused whole (SeedFileError, 400 naming the line or entry), so nothing partial is stored.
 */
@Injectable()
export class SeedsService {
  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly votes: VoteRepository,
    private readonly relevance: RelevanceRepository,
    private readonly producer: JobProducer,
    private readonly clock: Clock,
  ) {}

  /** Null when the link is not this subscription's. */
  async add(
    id: string,
    token: string,
    format: SeedFormat,
    content: string,
    now: Date = this.clock.now(),
  ): Promise<SeedsAnswer | null> {
    if (!(await opensSubscription(this.settings.APP_SECRET, this.subscriptions, id, token, now))) {
      return null;
    }
    const entries = parseSeedFile(format, content);
    const identified = entries.flatMap((entry) =>
      entry.identifier ? [{ ...entry, identifier: entry.identifier }] : [],
    );
    const arxivIds = identified.flatMap(({ identifier }) => ('arxivId' in identifier ? [identifier.arxivId] : []));
    const dois = identified.flatMap(({ identifier }) => ('doi' in identifier ? [identifier.doi] : []));
    const papers = await this.relevance.findByIdentifiers(arxivIds, dois);
    const byArxiv = new Map(papers.filter((paper) => paper.arxivId).map((paper) => [paper.arxivId, paper]));
    const byDoi = new Map(papers.filter((paper) => paper.doi).map((paper) => [paper.doi, paper]));
    const answer: SeedsAnswer = {
      added: 0,
      seeds: [],
      notFound: [],
      withoutIdentifier: entries.filter((entry) => !entry.identifier).map((entry) => entry.where),
    };
    for (const { where, identifier } of identified) {
      const paper = 'arxivId' in identifier ? byArxiv.get(identifier.arxivId) : byDoi.get(identifier.doi);
      if (paper) {
        answer.seeds.push({ where, paper });
      } else {
        answer.notFound.push({ where, id: 'arxivId' in identifier ? identifier.arxivId : identifier.doi });
      }
    }
    answer.added = await this.votes.addSeeds(id, [...new Set(answer.seeds.map((seed) => seed.paper.id))], now);
    if (answer.added > 0) {
      await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId: id });
    }
    return answer;
  }
}
