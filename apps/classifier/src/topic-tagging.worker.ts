import { parentPort } from 'node:worker_threads';
import { classifyTopics, TopicInput } from '@libs/domain';
import type { TaggingRequest, TaggingResponse } from './topic-tagger';

/** Tags the papers of each request it is sent, in order, off the classifier's event loop (see TopicTagger). */
parentPort?.on('message', ({ id, papers }: TaggingRequest) => {
  const response: TaggingResponse = { id, tags: papers.map((paper: TopicInput) => classifyTopics(paper)) };
  parentPort?.postMessage(response);
});
