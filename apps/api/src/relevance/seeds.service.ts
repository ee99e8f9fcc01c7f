import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '@libs/config';
import { JobName, JobProducer } from '@libs/queues';
import {
  ProfileRepository,
  RelevanceRepository,
  SourceRepository,
  StoredVote,
  SubscriptionRepository,
  VoteRepository,
} from '@libs/database';
import { Clock, MAX_SEEDS, parseSeedFile, SeedFileError, type SeedEntry, type SeedFormat } from '@libs/domain';
import { opensSubscription } from './manage-token';

/** A seed still pending this long after it was asked for is asked of arXiv again when sent again (its lookup may have failed). */
const ASK_AGAIN_AFTER_MS = 24 * 3600 * 1000;

export interface SeedsAnswer {
  /** Seeds stored now (a paper already voted on keeps its vote and is not counted). */
  added: number;
  seeds: { where: string; paper: StoredVote['paper'] }[];
  /**
   * arXiv ids Paperboy did not know, asked of arXiv (an arxiv-api source): each becomes a seed once its
   * paper is fetched, or is dropped after a week if arXiv does not know it either.
   */
  lookingUp: { where: string; id: string }[];
  /** Entries whose paper Paperboy does not know (a DOI, or an arXiv id with no arxiv-api source to ask). */
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
  private readonly logger = new Logger(SeedsService.name);

  constructor(
    private readonly settings: Settings,
    private readonly subscriptions: SubscriptionRepository,
    private readonly votes: VoteRepository,
    private readonly relevance: RelevanceRepository,
    private readonly profiles: ProfileRepository,
    private readonly sources: SourceRepository,
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
    return this.addEntries(id, parseSeedFile(format, content), now);
  }

  /**
   * Stores read entries as seeds of a subscription whose link was checked: known papers become up-votes
   * (source 'seed'), unknown arXiv ids are looked up where an arxiv-api source is configured.
   */
  async addEntries(
    subscriptionId: string,
    entries: readonly SeedEntry[],
    now: Date = this.clock.now(),
  ): Promise<SeedsAnswer> {
    if (entries.length > MAX_SEEDS) {
      throw new SeedFileError(`${entries.length} entries: at most ${MAX_SEEDS} seed papers at a time`);
    }
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
      lookingUp: [],
      notFound: [],
      withoutIdentifier: entries.filter((entry) => !entry.identifier).map((entry) => entry.where),
    };
    const unknownArxiv: { where: string; id: string }[] = [];
    for (const { where, identifier } of identified) {
      const paper = 'arxivId' in identifier ? byArxiv.get(identifier.arxivId) : byDoi.get(identifier.doi);
      if (paper) {
        answer.seeds.push({ where, paper });
      } else if ('arxivId' in identifier) {
        unknownArxiv.push({ where, id: identifier.arxivId });
      } else {
        answer.notFound.push({ where, id: identifier.doi });
      }
    }
    const lookupSource = unknownArxiv.length > 0 ? await this.lookupSource() : null;
    if (lookupSource) {
      const ids = [...new Set(unknownArxiv.map((entry) => entry.id))].sort();
      // Stored before the job is queued: the classifier resolves them whenever the paper arrives, even
      // if another lookup (or the daily fetch) brings it first.
      // Ids this subscriber asked for within the day were asked of arXiv then: sending them again asks nothing.
      const added = await this.profiles.addPendingSeeds(
        subscriptionId,
        ids,
        now,
        new Date(now.getTime() - ASK_AGAIN_AFTER_MS),
      );
      if (added.length > 0) {
        // Queued past a finished lookup of the same ids (a failed one is kept two weeks under the usual id, and
        // would make asking again a no-op); while one is still waiting, this adds nothing (requeue's dedup).
        await this.producer.requeue(JobName.SourceLookup, { sourceId: lookupSource, arxivIds: added });
      }
      answer.lookingUp = unknownArxiv;
    } else {
      answer.notFound.unshift(...unknownArxiv);
    }
    answer.added = await this.votes.addSeeds(
      subscriptionId,
      [...new Set(answer.seeds.map((seed) => seed.paper.id))],
      now,
    );
    if (answer.added > 0) {
      await this.producer.enqueue(JobName.RelevanceTrain, { subscriptionId });
    }
    return answer;
  }

  /**
   * The arxiv-api source unknown seeds are asked of: one the other sources look papers up with, else the
   * first enabled one; null when none is configured.
   */
  private async lookupSource(): Promise<string | null> {
    const enabled = await this.sources.findEnabled();
    const arxiv = enabled.filter((source) => source.kind === 'arxiv-api').sort((a, b) => a.id.localeCompare(b.id));
    const named = new Set(enabled.map((source) => source.lookupWith));
    const chosen = arxiv.find((source) => named.has(source.id)) ?? arxiv[0];
    if (!chosen) {
      this.logger.debug('No arxiv-api source is configured: unknown seed papers are named as not found');
    }
    return chosen?.id ?? null;
  }
}
