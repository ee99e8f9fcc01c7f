import { classifyTopics, createRuleVerdicts, createTopicClassifier, PARTIAL_SCORE } from './classify-topics';
import { TOPIC_MODEL } from './committed-topic-model';
import { TOPIC_SLUGS, type TopicSlug } from './taxonomy';
import {
  chooseThresholds,
  createTopicModelScorer,
  fitTopicModel,
  foldOf,
  parseTopicModel,
  topicTermCounts,
  trainTopicModel,
  type LabelledTopicPaper,
  type TopicModel,
  type TopicProbabilities,
} from './topic-model';
import { TOPIC_RULES } from './topic-rules';

const rulesOnly = createTopicClassifier(TOPIC_RULES);

function topicsOf(tags: readonly { topic: TopicSlug }[]): TopicSlug[] {
  return tags.map((tag) => tag.topic);
}

/** A one-topic model whose weight on "gripper" alone decides robotics. */
function gripperModel(threshold: number, supportThreshold: number): TopicModel {
  return {
    version: 1,
    documents: 10,
    defaultIdf: 2,
    idf: { gripper: 2 },
    topics: [{ topic: 'robotics', bias: -2, threshold, supportThreshold, weights: { gripper: 6 } }],
  };
}

describe('arXiv categories as evidence', () => {
  it.each([
    ['cs.RO', 'robotics'],
    ['cs.SD', 'audio'],
    ['eess.AS', 'audio'],
    ['cs.CR', 'safety'],
    ['astro-ph.GA', 'science'],
    ['q-bio.NC', 'science'],
    ['cond-mat.mtrl-sci', 'science'],
  ] as const)('should tag a paper listed in %s as %s and name the category', (category, topic) => {
    const tag = rulesOnly({ title: 'A method', abstract: 'We study a method.', categories: [category] }).find(
      (candidate) => candidate.topic === topic,
    );

    expect(tag?.evidence).toContain(`arXiv category ${category}`);
  });

  it('should treat broad categories as weak evidence that needs the text to agree', () => {
    const bare = topicsOf(rulesOnly({ title: 'A method', abstract: 'We study a method.', categories: ['cs.CL', 'cs.IR'] }));
    const withWords = rulesOnly({
      title: 'A method',
      abstract: 'Results are retrieved for each query.',
      categories: ['cs.IR'],
    }).find((tag) => tag.topic === 'retrieval');

    expect(bare).not.toContain('llm');
    expect(bare).not.toContain('retrieval');
    expect(withWords?.evidence).toEqual(['arXiv category cs.IR', 'abstract: "retrieved"']);
  });

  it('should let cs.LO support theorem proving toward reasoning', () => {
    const tags = rulesOnly({
      title: 'Premise selection for Lean',
      abstract: 'A language model writes proofs checked by Lean 4.',
      categories: ['cs.LO'],
    });

    expect(tags.find((tag) => tag.topic === 'reasoning')?.evidence).toEqual(
      expect.arrayContaining(['arXiv category cs.LO', 'abstract: "lean 4"']),
    );
  });
});

describe('Hugging Face keywords through the phrase rules', () => {
  it('should tag from a keyword that only a phrase rule knows, naming the keyword', () => {
    const tag = rulesOnly({
      title: 'Scaling up',
      abstract: 'We train a bigger model.',
      keywords: ['vision-language-action model'],
    }).find((candidate) => candidate.topic === 'robotics');

    expect(tag?.evidence).toEqual(['keyword: "vision-language-action model"']);
  });

  it('should count each phrase rule once however many keywords match it', () => {
    const once = rulesOnly({ title: 'A', abstract: 'B', keywords: ['humanoid'] });
    const twice = rulesOnly({ title: 'A', abstract: 'B', keywords: ['humanoid', 'humanoids'] });

    expect(twice.find((tag) => tag.topic === 'robotics')?.score).toBe(
      once.find((tag) => tag.topic === 'robotics')?.score,
    );
  });

  it('should apply counter-evidence in keywords as in the abstract', () => {
    const topics = topicsOf(rulesOnly({ title: 'A', abstract: 'B', keywords: ['diffusion policy'] }));

    expect(topics).not.toContain('image-generation');
  });

  it('should ignore a keyword list that is not a list of strings', () => {
    const input = { title: 'A', abstract: 'B', keywords: [42, null, 'robot manipulation'] as unknown as string[] };

    expect(topicsOf(rulesOnly(input))).toEqual(['robotics']);
  });
});

describe('the topic model', () => {
  it('should load the committed model: known topics, thresholds in (0, 1], finite weights', () => {
    expect(TOPIC_MODEL.version).toBe(1);
    expect(TOPIC_MODEL.documents).toBeGreaterThanOrEqual(236);
    for (const entry of TOPIC_MODEL.topics) {
      expect(TOPIC_SLUGS).toContain(entry.topic);
      expect(entry.supportThreshold).toBeGreaterThan(0);
      expect(entry.supportThreshold).toBeLessThanOrEqual(entry.threshold);
      expect(entry.threshold).toBeLessThanOrEqual(1);
      expect(Object.values(entry.weights).every(Number.isFinite)).toBe(true);
    }
  });

  it.each([
    [null, 'expected an object with version 1'],
    [{ version: 2 }, 'expected an object with version 1'],
    [{ version: 1, documents: 1, defaultIdf: 1, idf: { a: 'x' }, topics: [] }, 'idf must map terms to numbers'],
    [{ version: 1, documents: 1, defaultIdf: 1, idf: {}, topics: [{ topic: 'cooking' }] }, 'names no known topic'],
    [
      { version: 1, documents: 1, defaultIdf: 1, idf: {}, topics: [{ topic: 'llm', bias: 0, threshold: 1, weights: {} }] },
      'needs a bias, thresholds and weights',
    ],
  ])('should reject a malformed model (%j) naming what is wrong', (value, message) => {
    expect(() => parseTopicModel(value)).toThrow(message);
  });

  it('should score a paper as the sigmoid of bias plus weights times its l2-normalised tf-idf', () => {
    const scorer = createTopicModelScorer(gripperModel(0.5, 0.5));
    // Title terms count twice: "gripper", "design" and the bigram "gripper design" weigh the same, 1/√3 each.
    const probability = scorer.probabilities({ title: 'Gripper design', abstract: '' }).get('robotics') ?? 0;

    expect(probability).toBeCloseTo(1 / (1 + Math.exp(-(-2 + 6 / Math.sqrt(3)))), 6);
    expect(scorer.probabilities({ title: 'Cooking', abstract: '' }).get('robotics')).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
  });

  it('should add a tag the rules missed when the probability reaches the threshold, saying why', () => {
    const classifier = createTopicClassifier(TOPIC_RULES, gripperModel(0.5, 0.5));
    const tag = classifier({ title: 'Gripper design', abstract: 'A soft gripper.' }).find((t) => t.topic === 'robotics');

    expect(rulesOnly({ title: 'Gripper design', abstract: 'A soft gripper.' }).map((t) => t.topic)).not.toContain(
      'robotics',
    );
    expect(tag?.evidence[0]).toBe('model: "gripper"');
    // Below the rules' threshold: a tag the rules give sorts first.
    expect(tag?.score).toBeGreaterThan(0);
    expect(tag?.score).toBeLessThan(TOPIC_RULES.threshold);
  });

  it('should need the lower support threshold only where the rules found some evidence', () => {
    const classifier = createTopicClassifier(TOPIC_RULES, gripperModel(0.99, 0.5));
    const withHint = classifier({ title: 'Gripper design', abstract: 'A soft gripper for drones.' });
    const withoutHint = classifier({ title: 'Gripper design', abstract: 'A soft gripper.' });

    // "drones" (2 points) is at least half the threshold of 3 (PARTIAL_SCORE), not a tag.
    expect(PARTIAL_SCORE).toBe(0.5);
    expect(topicsOf(withHint)).toContain('robotics');
    expect(topicsOf(withoutHint)).not.toContain('robotics');
  });

  it('should never take away a tag the rules give', () => {
    const never: TopicModel = { ...gripperModel(1, 1), topics: [{ ...gripperModel(1, 1).topics[0], bias: -50 }] };
    const input = { title: 'Robots that cook', abstract: 'A robot arm.' };

    expect(topicsOf(createTopicClassifier(TOPIC_RULES, never)(input))).toEqual(topicsOf(rulesOnly(input)));
  });

  it('should learn separable topics from labelled papers and score held-out ones', () => {
    const robot = (i: number): LabelledTopicPaper => ({
      title: `Gripper control ${i}`,
      abstract: `The gripper grasps object ${i} with a compliant gripper.`,
      topics: ['robotics'],
    });
    const music = (i: number): LabelledTopicPaper => ({
      title: `Melody generation ${i}`,
      abstract: `A melody model composes melody number ${i}.`,
      topics: ['audio'],
    });
    const papers = [...Array.from({ length: 12 }, (_, i) => robot(i)), ...Array.from({ length: 12 }, (_, i) => music(i))];
    const model = trainTopicModel(papers, { iterations: 150 });
    const scorer = createTopicModelScorer(parseTopicModel(JSON.parse(JSON.stringify(model))));
    const unseen = scorer.probabilities({ title: 'Gripper', abstract: 'A gripper.' });

    expect(unseen.get('robotics')).toBeGreaterThan(0.5);
    expect(unseen.get('audio')).toBeLessThan(0.5);
    expect(scorer.reasons({ title: 'Gripper', abstract: 'A gripper.' }, 'robotics', 3)).toEqual(['gripper']);
  });

  it('should choose the cut that adds the most true tags, and none when false tags would cost more', () => {
    const papers: LabelledTopicPaper[] = Array.from({ length: 300 }, (_, i) => ({
      title: `p${i}`,
      abstract: '',
      topics: i < 6 ? ['video'] : ['llm'],
    }));
    const probabilities: TopicProbabilities[] = papers.map((_, i) => {
      // Three true video papers at 0.9, 0.8, 0.7; a false one at 0.75; the rest low.
      const video = [0.9, 0.8, 0.7, 0.1, 0.1, 0.1][i] ?? (i === 10 ? 0.75 : 0.05);
      return new Map<TopicSlug, number>([['video', video]]);
    });
    const none = papers.map(() => ({ tagged: new Set<TopicSlug>(), partial: new Set<TopicSlug>() }));

    const thresholds = chooseThresholds(papers, probabilities, none);

    expect(thresholds.video.threshold).toBe(0.8);
    expect(thresholds.llm).toEqual({ threshold: 1, supportThreshold: 1 });
  });

  it('should fit a model whose topics all have thresholds below 1', () => {
    const papers: LabelledTopicPaper[] = Array.from({ length: 40 }, (_, i) => ({
      title: i % 2 === 0 ? `Gripper ${i}` : `Melody ${i}`,
      abstract: i % 2 === 0 ? 'gripper gripper' : 'melody melody',
      topics: i % 2 === 0 ? ['robotics'] : ['audio'],
    }));
    const model = fitTopicModel(papers, () => ({ tagged: new Set(), partial: new Set() }), { iterations: 100 });

    expect(model.topics.map((entry) => entry.topic).sort()).toEqual(['audio', 'robotics']);
    expect(model.topics.every((entry) => entry.supportThreshold < 1)).toBe(true);
  });

  it('should read title, abstract, keywords and categories as terms', () => {
    const counts = topicTermCounts({ title: 'Robots', abstract: 'walk', keywords: ['legged'], categories: ['cs.RO'] });

    expect([...counts.keys()].sort()).toEqual(['category:cs.ro', 'legged', 'robot', 'walk']);
    expect(foldOf('Robots', 5)).toBe(foldOf('robots', 5));
  });
});

describe('classifyTopics output for its callers', () => {
  it('should give known topics once each, best first, with a positive score and readable evidence', () => {
    const inputs = [
      { title: 'Robot learning with diffusion policies', abstract: 'A robot arm learns from demonstrations.' },
      { title: 'Speech', abstract: 'We study speech.', categories: ['eess.AS'], keywords: ['speech recognition'] },
      { title: '', abstract: '' },
    ];
    for (const input of inputs) {
      const tags = classifyTopics(input);

      expect(new Set(topicsOf(tags)).size).toBe(tags.length);
      tags.forEach((tag, index) => {
        expect(TOPIC_SLUGS).toContain(tag.topic);
        expect(Number.isFinite(tag.score) && tag.score > 0).toBe(true);
        expect(tag.evidence.length).toBeGreaterThan(0);
        expect(tag.evidence.every((text) => typeof text === 'string' && text.length > 0)).toBe(true);
        if (index > 0) {
          expect(tag.score).toBeLessThanOrEqual(tags[index - 1].score);
        }
      });
    }
  });

  it('should give the rule verdicts the model is tuned against: tagged, and partial short of a tag', () => {
    const verdict = createRuleVerdicts(TOPIC_RULES)({ title: 'Cars', abstract: 'Drones on roads.' });

    expect(verdict.tagged.has('robotics')).toBe(false);
    expect(verdict.partial.has('robotics')).toBe(true);
  });
});
