import { TOPIC_SLUGS, type TopicSlug } from './taxonomy';

/** Counts for one topic over a labelled set. */
export interface TopicCounts {
  topic: TopicSlug;
  /** Papers a human labelled with the topic. */
  support: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface TopicQuality {
  perTopic: TopicCounts[];
  micro: { precision: number; recall: number; f1: number };
  /** Unweighted mean of per-topic F1 over the topics that have support or predictions. */
  macroF1: number;
  /** Papers for which the classifier predicted no topic at all. */
  untagged: number;
}

export interface LabelledPrediction {
  expected: readonly TopicSlug[];
  predicted: readonly TopicSlug[];
}

/** Per-topic precision, recall and F1, then micro and macro F1, of predictions against hand labels. */
export function measureTopicQuality(rows: readonly LabelledPrediction[]): TopicQuality {
  const counts = new Map<TopicSlug, { tp: number; fp: number; fn: number; support: number }>(
    TOPIC_SLUGS.map((topic) => [topic, { tp: 0, fp: 0, fn: 0, support: 0 }]),
  );
  let untagged = 0;
  for (const row of rows) {
    const expected = new Set(row.expected);
    const predicted = new Set(row.predicted);
    if (predicted.size === 0) {
      untagged += 1;
    }
    for (const topic of expected) {
      const entry = counts.get(topic);
      if (entry === undefined) {
        continue;
      }
      entry.support += 1;
      if (predicted.has(topic)) {
        entry.tp += 1;
      } else {
        entry.fn += 1;
      }
    }
    for (const topic of predicted) {
      const entry = counts.get(topic);
      if (entry !== undefined && !expected.has(topic)) {
        entry.fp += 1;
      }
    }
  }

  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perTopic: TopicCounts[] = [];
  for (const [topic, entry] of counts) {
    tp += entry.tp;
    fp += entry.fp;
    fn += entry.fn;
    const scores = prf(entry.tp, entry.fp, entry.fn);
    perTopic.push({
      topic,
      support: entry.support,
      truePositives: entry.tp,
      falsePositives: entry.fp,
      falseNegatives: entry.fn,
      ...scores,
    });
  }
  const scored = perTopic.filter((entry) => entry.support + entry.falsePositives > 0);
  const macroF1 = scored.length === 0 ? 0 : scored.reduce((sum, entry) => sum + entry.f1, 0) / scored.length;
  return { perTopic, micro: prf(tp, fp, fn), macroF1, untagged };
}

function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
