import { parseTopicModel, type TopicModel } from './topic-model';
import weights from './topic-model.weights.json';

/** The committed topic model: `npm run topics:train` writes topic-model.weights.json; nothing is fetched at run time. */
export const TOPIC_MODEL: TopicModel = parseTopicModel(weights);
