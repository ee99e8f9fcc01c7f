import { classifyTopics, createTopicClassifier, type TopicInput, type TopicTag } from './classify-topics';
import { TOPIC_RULES, type TopicRuleBook } from './topic-rules';
import { isTopicSlug, TOPIC_SLUGS, TOPICS, type TopicSlug } from './taxonomy';

function topicsOf(input: TopicInput): TopicSlug[] {
  return classifyTopics(input).map((tag) => tag.topic);
}

function tagFor(input: TopicInput, topic: TopicSlug): TopicTag | undefined {
  return classifyTopics(input).find((tag) => tag.topic === topic);
}

function thresholdOf(topic: TopicSlug): number {
  return TOPIC_RULES.topics.find((rules) => rules.topic === topic)?.threshold ?? TOPIC_RULES.threshold;
}

const COT_PAPER: TopicInput = {
  title: 'Chain-of-Thought Prompting Elicits Reasoning in Large Language Models',
  abstract:
    'We explore how generating a chain of thought, a series of intermediate reasoning steps, improves the ability ' +
    'of large language models to perform complex reasoning on arithmetic and symbolic benchmarks such as GSM8K.',
};

const TEXT_TO_IMAGE_PAPER: TopicInput = {
  title: 'Scaling Latent Diffusion Models for High-Resolution Text-to-Image Synthesis',
  abstract:
    'Diffusion models have become the standard for text-to-image generation. We train a latent diffusion model ' +
    'with a larger denoising backbone and report better FID and prompt alignment than prior image generation models.',
};

const VIDEO_DIFFUSION_PAPER: TopicInput = {
  title: 'Temporally Consistent Video Diffusion Models for Long Video Generation',
  abstract:
    'We extend video diffusion models with temporal attention so that they generate minute-long videos. ' +
    'Our text-to-video model keeps subjects consistent across frames and outperforms prior video generation work.',
};

const ASR_PAPER: TopicInput = {
  title: 'Robust Speech Recognition for Low-Resource Accents',
  abstract:
    'Automatic speech recognition systems degrade on accented speech. We fine-tune a Whisper model on spoken ' +
    'audio from twelve accents and reduce the word error rate by 18% relative.',
};

const QUANTIZATION_PAPER: TopicInput = {
  title: 'GPTQ-Lite: Accurate Post-Training Quantization for Generative Transformers',
  abstract:
    'We propose a one-shot post-training quantization method that compresses weights to 3 or 4 bits with ' +
    'negligible accuracy loss, reducing memory footprint and enabling inference on a single consumer GPU.',
};

describe('taxonomy', () => {
  it('should list every slug once, in the fixed order, with a name and a scope', () => {
    expect(TOPICS.map((topic) => topic.slug)).toEqual([...TOPIC_SLUGS]);
    expect(TOPIC_SLUGS[0]).toBe('llm');
    expect(TOPIC_SLUGS[TOPIC_SLUGS.length - 1]).toBe('graphs');
    expect(new Set(TOPIC_SLUGS).size).toBe(TOPIC_SLUGS.length);
    for (const topic of TOPICS) {
      expect(topic.name.length).toBeGreaterThan(0);
      expect(topic.scope.length).toBeGreaterThan(0);
    }
  });

  it('should recognise only known slugs', () => {
    expect(isTopicSlug('image-generation')).toBe(true);
    expect(isTopicSlug('3d')).toBe(true);
    expect(isTopicSlug('Image-Generation')).toBe(false);
    expect(isTopicSlug('toString')).toBe(false);
    expect(isTopicSlug('')).toBe(false);
  });
});

describe('TOPIC_RULES', () => {
  it('should have exactly one rule set for every topic', () => {
    expect(TOPIC_RULES.topics.map((rules) => rules.topic).sort()).toEqual([...TOPIC_SLUGS].sort());
  });
});

describe('classifyTopics', () => {
  it('should tag a chain-of-thought paper with reasoning and llm', () => {
    const topics = topicsOf(COT_PAPER);

    expect(topics).toContain('reasoning');
    expect(topics).toContain('llm');
  });

  it('should name the matched phrase in the evidence', () => {
    const reasoning = tagFor(COT_PAPER, 'reasoning');

    expect(reasoning?.evidence).toContain('title: "chain-of-thought"');
    expect(reasoning?.evidence).toContain('abstract: "chain of thought"');
  });

  it('should tag a text-to-image diffusion paper with image-generation and not video', () => {
    const topics = topicsOf(TEXT_TO_IMAGE_PAPER);

    expect(topics).toContain('image-generation');
    expect(topics).not.toContain('video');
  });

  it('should tag a video diffusion paper with video and not image-generation', () => {
    const topics = topicsOf(VIDEO_DIFFUSION_PAPER);

    expect(topics).toContain('video');
    expect(topics).not.toContain('image-generation');
  });

  it('should tag a speech recognition paper with audio', () => {
    expect(topicsOf(ASR_PAPER)).toContain('audio');
    expect(tagFor(ASR_PAPER, 'audio')?.evidence).toContain('title: "speech recognition"');
  });

  it('should tag a quantization paper with efficiency', () => {
    expect(topicsOf(QUANTIZATION_PAPER)).toContain('efficiency');
    expect(tagFor(QUANTIZATION_PAPER, 'efficiency')?.evidence).toContain('title: "quantization"');
  });

  it.each<[string, TopicInput, TopicSlug]>([
    [
      'a NeRF paper',
      {
        title: 'Fast Neural Radiance Fields from Sparse Views',
        abstract: 'We reconstruct 3D scenes from four images and render novel view synthesis in real time.',
      },
      '3d',
    ],
    [
      'a robot manipulation paper',
      {
        title: 'Learning Dexterous Manipulation for Household Robots',
        abstract: 'We train a robot policy in simulation and transfer it sim-to-real for grasping unseen objects.',
      },
      'robotics',
    ],
    [
      'a RAG paper',
      {
        title: 'Corrective Retrieval-Augmented Generation',
        abstract:
          'A lightweight retriever evaluator decides when retrieved documents are wrong and triggers web search.',
      },
      'retrieval',
    ],
    [
      'a code LLM paper',
      {
        title: 'A Small Code LLM for Repository-Level Code Completion',
        abstract: 'We train a 3B model on permissively licensed source code and evaluate it on HumanEval and MBPP.',
      },
      'code',
    ],
    [
      'a jailbreak paper',
      {
        title: 'Universal Jailbreak Suffixes Transfer Across Aligned Chat Models',
        abstract: 'We find adversarial attacks that bypass safety alignment and elicit harmful content.',
      },
      'safety',
    ],
    [
      'a GNN paper',
      {
        title: 'Oversmoothing in Deep Graph Neural Networks',
        abstract: 'We analyse message passing and propose a normalisation that keeps node classification accurate.',
      },
      'graphs',
    ],
    [
      'a recommender paper',
      {
        title: 'Sequential Recommendation with Contrastive User Modelling',
        abstract: 'Recommender systems must model user-item interactions; we improve click-through rate prediction.',
      },
      'recsys',
    ],
  ])('should tag %s with its topic', (_label, input, topic) => {
    expect(topicsOf(input)).toContain(topic);
  });

  it('should return an empty list for empty input', () => {
    expect(classifyTopics({ title: '', abstract: '' })).toEqual([]);
    expect(classifyTopics({ title: '   ', abstract: '\n\t', categories: [], keywords: [] })).toEqual([]);
  });

  it('should not tag a paper without topic vocabulary', () => {
    expect(classifyTopics({ title: 'On the history of the printing press', abstract: 'A short essay.' })).toEqual([]);
  });

  it('should never return a tag below its threshold, and sort by score descending', () => {
    const inputs = [COT_PAPER, TEXT_TO_IMAGE_PAPER, VIDEO_DIFFUSION_PAPER, ASR_PAPER, QUANTIZATION_PAPER];
    for (const input of inputs) {
      const tags = classifyTopics(input);
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) {
        expect(tag.score).toBeGreaterThanOrEqual(thresholdOf(tag.topic));
        expect(tag.evidence.length).toBeGreaterThan(0);
      }
      const scores = tags.map((tag) => tag.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(new Set(tags.map((tag) => tag.topic)).size).toBe(tags.length);
    }
  });

  it('should leave out a topic whose only hint is weak', () => {
    // One passing mention of "reinforcement learning" is below the threshold of 3.
    const input = { title: 'A tool for training', abstract: 'It also supports reinforcement learning pipelines.' };

    expect(topicsOf(input)).not.toContain('rl');
  });

  it('should weigh a title hit more than an abstract hit', () => {
    const inTitle = tagFor({ title: 'Speech recognition', abstract: 'A study.' }, 'audio');
    const inAbstract = tagFor({ title: 'A study', abstract: 'Speech recognition.' }, 'audio');

    expect(inTitle?.score).toBeGreaterThan(inAbstract?.score ?? 0);
  });

  it('should give diminishing returns for repeated abstract hits, capped at three', () => {
    const scoreWith = (count: number): number =>
      tagFor({ title: '', abstract: Array.from({ length: count }, () => 'speech recognition.').join(' ') }, 'audio')
        ?.score ?? 0;

    expect(scoreWith(2)).toBeGreaterThan(scoreWith(1));
    expect(scoreWith(2)).toBeLessThan(2 * scoreWith(1));
    expect(scoreWith(3)).toBeGreaterThan(scoreWith(2));
    expect(scoreWith(50)).toBe(scoreWith(3));
  });

  it('should match on word boundaries only', () => {
    const input = { title: 'Ragged arrays of fullmsgs', abstract: 'The pragmatic llmsx cotton trade.' };

    expect(classifyTopics(input)).toEqual([]);
  });

  it('should match case-insensitively, across hyphen variants and line breaks', () => {
    const input = { title: 'CHAIN\u2011OF\u2011THOUGHT at scale', abstract: 'We study chain of\nthought.' };

    expect(tagFor(input, 'reasoning')?.evidence).toEqual(['title: "chain-of-thought"', 'abstract: "chain of thought"']);
  });

  it('should use arXiv categories, including whole-archive rules, as evidence', () => {
    const robotics = tagFor({ title: 'A new controller', abstract: '', categories: ['cs.RO'] }, 'robotics');
    const science = tagFor({ title: 'Sequence models', abstract: '', categories: ['q-bio.GN'] }, 'science');

    expect(robotics?.evidence).toEqual(['arXiv category cs.RO']);
    expect(science?.evidence).toEqual(['arXiv category q-bio.GN']);
  });

  it('should use Hugging Face AI keywords as evidence, naming them', () => {
    const tag = tagFor(
      { title: 'A new sampler', abstract: '', keywords: ['diffusion model', 'sampling'] },
      'image-generation',
    );

    expect(tag?.evidence).toEqual(['keyword: "diffusion model"']);
  });

  it('should combine title, abstract, category and keyword evidence, strongest first', () => {
    const tag = tagFor(
      {
        title: 'Speech recognition in the wild',
        abstract: 'We evaluate ASR systems on noisy speech.',
        categories: ['eess.AS'],
        keywords: ['speech recognition'],
      },
      'audio',
    );

    expect(tag?.evidence[0]).toBe('title: "speech recognition"');
    expect(tag?.evidence).toEqual(
      expect.arrayContaining(['abstract: "asr"', 'arXiv category eess.AS', 'keyword: "speech recognition"']),
    );
  });

  it('should finish quickly and not throw on a 1 MB abstract', () => {
    const sentence = 'We quantize large language models and measure chain-of-thought accuracy on 7B models. ';
    const abstract = sentence.repeat(Math.ceil(1_000_000 / sentence.length));
    const started = Date.now();

    const topics = topicsOf({ title: 'Huge', abstract });

    expect(abstract.length).toBeGreaterThanOrEqual(1_000_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(topics).toEqual(expect.arrayContaining(['llm', 'reasoning']));
  });

  it('should not throw on non-Latin scripts, emoji or broken surrogates', () => {
    const inputs: TopicInput[] = [
      { title: '大型语言模型的思维链推理', abstract: '我们研究大型语言模型。' },
      { title: 'نماذج اللغة الكبيرة', abstract: 'دراسة حول التعلم المعزز' },
      { title: 'Трансформеры для распознавания речи', abstract: 'Мы изучаем LLM и speech recognition.' },
      { title: '🚀🔥 LLM 🤖', abstract: '\ud800 broken surrogate \udfff and \u0000 nul' },
      { title: 'ｃｈａｉｎ－ｏｆ－ｔｈｏｕｇｈｔ', abstract: '' },
    ];

    for (const input of inputs) {expect(() => classifyTopics(input)).not.toThrow();}
    expect(topicsOf(inputs[2])).toEqual(expect.arrayContaining(['llm', 'audio']));
    // Full-width letters are folded, so this still reads as chain-of-thought.
    expect(topicsOf(inputs[4])).toContain('reasoning');
  });

  it('should not throw on random text from any script', () => {
    // Deterministic LCG so a failure is reproducible.
    let seed = 20_241_025;
    const nextInt = (limit: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % limit;
    };
    const randomText = (length: number): string =>
      Array.from({ length }, () => {
        const roll = nextInt(10);
        if (roll < 4) {return 'chain of thought llm diffusion -‐‑— '.charAt(nextInt(33));}
        if (roll < 6) {return String.fromCharCode(nextInt(0x10000));}
        return String.fromCodePoint(nextInt(0x10ffff));
      }).join('');

    for (let round = 0; round < 200; round += 1) {
      const input = {
        title: randomText(nextInt(200)),
        abstract: randomText(nextInt(3_000)),
        keywords: [randomText(20)],
      };
      expect(() => classifyTopics(input)).not.toThrow();
    }
  });

  it('should not throw on malformed runtime input', () => {
    const malformed = [
      { title: undefined, abstract: null },
      { title: 42, abstract: {}, categories: 'cs.CL', keywords: [null, 7, 'llm'] },
      null,
    ] as unknown as TopicInput[];

    for (const input of malformed) {expect(() => classifyTopics(input)).not.toThrow();}
  });
});

describe('createTopicClassifier', () => {
  const ruleBookWith = (pattern: string): TopicRuleBook => ({
    ...TOPIC_RULES,
    topics: [{ topic: 'llm', phrases: [{ pattern, weight: 3 }], categories: [], keywords: [] }],
  });

  it('should accept new rules as data', () => {
    const classify = createTopicClassifier(ruleBookWith('foundation models?'));

    expect(classify({ title: 'Foundation models', abstract: '' })).toEqual([
      { topic: 'llm', score: 6, evidence: ['title: "foundation models"'] },
    ]);
  });

  it('should reject a malformed pattern when the classifier is built', () => {
    expect(() => createTopicClassifier(ruleBookWith('unclosed (group'))).toThrow(/Invalid pattern/);
    expect(() => createTopicClassifier(ruleBookWith('(capturing)'))).toThrow(/capturing group/);
    expect(() => createTopicClassifier(ruleBookWith('x?'))).toThrow(/empty string/);
  });

  it('should reject two rule sets for one topic', () => {
    const llmRules = TOPIC_RULES.topics.filter((rules) => rules.topic === 'llm');

    expect(() => createTopicClassifier({ ...TOPIC_RULES, topics: [...llmRules, ...llmRules] })).toThrow(
      /more than one/,
    );
  });
});
