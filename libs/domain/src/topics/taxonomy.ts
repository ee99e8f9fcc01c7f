/** Fixed topic slugs; the order is the display order and is part of the public contract. */
export const TOPIC_SLUGS = [
  'llm',
  'reasoning',
  'agents',
  'multimodal',
  'image-generation',
  'video',
  'vision',
  '3d',
  'audio',
  'rl',
  'efficiency',
  'systems',
  'retrieval',
  'code',
  'robotics',
  'science',
  'safety',
  'data',
  'theory',
  'recsys',
  'graphs',
] as const;

export type TopicSlug = (typeof TOPIC_SLUGS)[number];

export interface Topic {
  slug: TopicSlug;
  name: string;
  scope: string;
}

export const TOPICS: readonly Topic[] = Object.freeze([
  {
    slug: 'llm',
    name: 'Large Language Models',
    scope: 'Language models: pretraining, fine-tuning, instruction tuning, decoding and evaluation of LLMs.',
  },
  {
    slug: 'reasoning',
    name: 'Reasoning',
    scope: 'Chain of thought, math and logical reasoning, test-time compute and inference-time scaling.',
  },
  {
    slug: 'agents',
    name: 'Agents',
    scope: 'LLM agents, tool use, planning, web and computer-use agents, multi-agent LLM systems.',
  },
  {
    slug: 'multimodal',
    name: 'Multimodal',
    scope: 'Vision-language models, multimodal LLMs, visual question answering, image-text alignment.',
  },
  {
    slug: 'image-generation',
    name: 'Image Generation',
    scope: 'Diffusion models, text-to-image, flow matching, image synthesis and editing.',
  },
  {
    slug: 'video',
    name: 'Video',
    scope: 'Video generation, video understanding, temporal modelling of video.',
  },
  {
    slug: 'vision',
    name: 'Computer Vision',
    scope: 'Detection, segmentation, pose estimation, image classification, super-resolution, vision transformers.',
  },
  {
    slug: '3d',
    name: '3D',
    scope: '3D reconstruction, NeRF, Gaussian splatting, point clouds, meshes, novel view synthesis.',
  },
  {
    slug: 'audio',
    name: 'Audio & Speech',
    scope: 'Speech recognition and synthesis, music, sound and spoken language.',
  },
  {
    slug: 'rl',
    name: 'Reinforcement Learning',
    scope: 'Reinforcement learning algorithms, policy optimization, RL from feedback, bandits in control.',
  },
  {
    slug: 'efficiency',
    name: 'Efficient ML',
    scope: 'Quantization, pruning, distillation, compression, on-device and low-resource models, efficient inference.',
  },
  {
    slug: 'systems',
    name: 'ML Systems',
    scope: 'Serving, distributed training, kernels, compilers, hardware and cluster resource management.',
  },
  {
    slug: 'retrieval',
    name: 'Retrieval',
    scope: 'Information retrieval, retrieval-augmented generation, dense and multi-vector retrievers, embeddings.',
  },
  {
    slug: 'code',
    name: 'Code',
    scope: 'Code generation, code LLMs, program synthesis, software engineering with ML.',
  },
  {
    slug: 'robotics',
    name: 'Robotics',
    scope: 'Robot learning, manipulation, navigation, SLAM, autonomous driving and embodied AI.',
  },
  {
    slug: 'science',
    name: 'AI for Science',
    scope: 'Physics, PDEs, chemistry, biology, medicine and other scientific applications of ML.',
  },
  {
    slug: 'safety',
    name: 'Safety & Trust',
    scope: 'Alignment, interpretability, robustness to attacks, security, privacy and fairness.',
  },
  {
    slug: 'data',
    name: 'Data & Evaluation',
    scope: 'Datasets, benchmarks, evaluation methodology, data curation and synthetic data.',
  },
  {
    slug: 'theory',
    name: 'Theory & Optimization',
    scope: 'Optimization, learning theory, complexity, scaling laws and algorithmic foundations.',
  },
  {
    slug: 'recsys',
    name: 'Recommender Systems',
    scope: 'Recommendation, click-through rate prediction, ranking for users and items.',
  },
  {
    slug: 'graphs',
    name: 'Graph Learning',
    scope: 'Graph neural networks, graph transformers, knowledge graphs and relational data.',
  },
] satisfies Topic[]);

const TOPIC_SLUG_SET: ReadonlySet<string> = new Set<string>(TOPIC_SLUGS);

export function isTopicSlug(s: string): s is TopicSlug {
  return TOPIC_SLUG_SET.has(s);
}
