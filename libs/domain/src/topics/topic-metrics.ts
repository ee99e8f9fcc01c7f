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

/** One held-out paper: tags a reader would agree on, arguable tags, and what the classifier said. */
export interface HeldOutPrediction {
  clear: readonly TopicSlug[];
  /** Defensible but arguable: predicting one is neither a hit nor a false tag, missing one is no miss. */
  borderline: readonly TopicSlug[];
  predicted: readonly TopicSlug[];
}

/** Counts for one topic over the held-out set. */
export interface HeldOutTopicCounts {
  topic: TopicSlug;
  /** Papers with the topic among their clear-cut tags. */
  clear: number;
  found: number;
  missed: number;
  /** Predictions of the topic on papers where it is neither clear nor borderline. */
  falseTags: number;
  recall: number;
}

export interface HeldOutQuality {
  papers: number;
  clearTags: number;
  foundClearTags: number;
  /** Share of clear-cut tags the classifier predicted. */
  recall: number;
  predictedTags: number;
  falseTags: number;
  /** Share of predicted tags that are neither clear nor borderline. */
  falseTagRate: number;
  /** Paper-topic pairs that are neither clear nor borderline: the clear negatives. */
  clearNegatives: number;
  /** Share of clear negatives tagged: the CV's "false tags" and the measure of precision. */
  negativesTaggedRate: number;
  perTopic: HeldOutTopicCounts[];
}

/** Recall on clear-cut tags and the false-tag rate over all predictions, in total and per topic. */
export function measureHeldOutQuality(rows: readonly HeldOutPrediction[]): HeldOutQuality {
  const counts = new Map<TopicSlug, { clear: number; found: number; falseTags: number }>(
    TOPIC_SLUGS.map((topic) => [topic, { clear: 0, found: 0, falseTags: 0 }]),
  );
  let predictedTags = 0;
  let clearNegatives = 0;
  for (const row of rows) {
    const predicted = new Set(row.predicted);
    const allowed = new Set([...row.clear, ...row.borderline]);
    predictedTags += predicted.size;
    clearNegatives += TOPIC_SLUGS.length - allowed.size;
    for (const topic of new Set(row.clear)) {
      const entry = counts.get(topic);
      if (entry !== undefined) {
        entry.clear += 1;
        entry.found += predicted.has(topic) ? 1 : 0;
      }
    }
    for (const topic of predicted) {
      const entry = counts.get(topic);
      if (entry !== undefined && !allowed.has(topic)) {
        entry.falseTags += 1;
      }
    }
  }

  const perTopic = [...counts].map(([topic, entry]): HeldOutTopicCounts => ({
    topic,
    clear: entry.clear,
    found: entry.found,
    missed: entry.clear - entry.found,
    falseTags: entry.falseTags,
    recall: ratio(entry.found, entry.clear),
  }));
  const clearTags = perTopic.reduce((sum, entry) => sum + entry.clear, 0);
  const foundClearTags = perTopic.reduce((sum, entry) => sum + entry.found, 0);
  const falseTags = perTopic.reduce((sum, entry) => sum + entry.falseTags, 0);
  return {
    papers: rows.length,
    clearTags,
    foundClearTags,
    recall: ratio(foundClearTags, clearTags),
    predictedTags,
    falseTags,
    falseTagRate: ratio(falseTags, predictedTags),
    clearNegatives,
    negativesTaggedRate: ratio(falseTags, clearNegatives),
    perTopic,
  };
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
