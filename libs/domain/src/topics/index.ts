export { TOPICS, TOPIC_SLUGS, isTopicSlug } from './taxonomy';
export type { Topic, TopicSlug } from './taxonomy';
export { TOPIC_RULES } from './topic-rules';
export type { CategoryRule, KeywordRule, PhraseRule, TopicRuleBook, TopicRuleSet } from './topic-rules';
export { classifyTopics, createRuleVerdicts, createTopicClassifier } from './classify-topics';
export type { TopicClassifier, TopicInput, TopicTag } from './classify-topics';
