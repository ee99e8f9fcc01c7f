import { classifyTopics, TopicInput, TopicTag } from '@libs/domain';

/** Tags a batch's papers, in order, off the classifier's event loop (run by TopicTagger's pool). */
export default function tagTopics(papers: TopicInput[]): TopicTag[][] {
  return papers.map((paper) => classifyTopics(paper));
}
