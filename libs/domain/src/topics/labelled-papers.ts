import { isTopicSlug, type TopicSlug } from './taxonomy';
import type { LabelledTopicPaper } from './topic-model';

/** A hand-labelled paper of a fixture file: what the rules and the model read, its topics and where it came from. */
export interface LabelledPaper extends LabelledTopicPaper {
  topics: TopicSlug[];
  source: string;
}

/** Reads a labelled-papers file's parsed JSON; throws naming the first bad entry. */
export function parseLabelledPapers(value: unknown, file: string): LabelledPaper[] {
  if (!Array.isArray(value)) {
    throw new Error(`${file} must hold an array`);
  }
  return value.map((entry: unknown, index): LabelledPaper => {
    const record = (entry ?? {}) as Record<string, unknown>;
    const where = `${file}: paper #${index}`;
    if (typeof record.title !== 'string' || typeof record.abstract !== 'string' || !Array.isArray(record.topics)) {
      throw new Error(`${where} needs a title, an abstract and topics`);
    }
    const topics = record.topics.filter((topic): topic is TopicSlug => typeof topic === 'string' && isTopicSlug(topic));
    if (topics.length !== record.topics.length) {
      throw new Error(`${where} has an unknown topic: ${String(record.topics)}`);
    }
    return {
      title: record.title,
      abstract: record.abstract,
      topics,
      categories: stringList(record.categories, `${where} categories`),
      keywords: stringList(record.keywords, `${where} keywords`),
      source: typeof record.source === 'string' ? record.source : 'unknown',
    };
  });
}

function stringList(value: unknown, context: string): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${context} must be a list of strings`);
  }
  return value;
}
