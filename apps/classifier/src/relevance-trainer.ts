import { Injectable } from '@nestjs/common';
import { RelevanceRepository } from '@libs/database';
import { TfIdfFeaturizer, trainRelevanceModel, type RelevanceModel, type TermCounts } from '@libs/domain';

const DAY = 24 * 3600 * 1000;
/** Background papers (weak negatives) per training, drawn from this many recent days. */
const BACKGROUND_PAPERS = 500;
const BACKGROUND_DAYS = 90;

/**
 * Trains a subscriber's relevance model from their votes and seeds against a sample of recent papers
 * (the same sample for everyone trained on one day) and stores it; with nothing liked, removes it.
 */
@Injectable()
export class RelevanceTrainer {
  constructor(private readonly relevance: RelevanceRepository) {}

  async train(subscriptionId: string, now: Date): Promise<RelevanceModel | null> {
    const { liked, disliked } = await this.relevance.labelledFeatures(subscriptionId);
    const background =
      liked.length === 0
        ? []
        : await this.relevance.backgroundSample(
            new Date(now.getTime() - BACKGROUND_DAYS * DAY),
            now.toISOString().slice(0, 10),
            BACKGROUND_PAPERS,
          );
    // Every term's frequency, the background papers' too: a vector's norm (so the weight of each of its
    // terms) depends on all its terms, and the digests score papers vectorized with all of them.
    const terms = new Set<string>();
    for (const counts of [...liked, ...disliked, ...background]) {
      counts.forEach((_, term) => terms.add(term));
    }
    const featurizer = new TfIdfFeaturizer(await this.relevance.frequencies([...terms]));
    const vectorize = (counts: TermCounts) => featurizer.vectorize(counts);
    const model = trainRelevanceModel({
      liked: liked.map(vectorize),
      disliked: disliked.map(vectorize),
      background: background.map(vectorize),
    });
    await this.relevance.saveModel(subscriptionId, model, now);
    return model;
  }
}
