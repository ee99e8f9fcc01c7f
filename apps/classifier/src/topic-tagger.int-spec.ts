import { classifyTopics, TopicInput } from '@libs/domain';
import { TopicTagger } from './topic-tagger';

/** Tagging on the worker thread gives what tagging on the event loop gives. */
describe(TopicTagger.name, () => {
  const tagger = new TopicTagger();
  afterAll(() => tagger.onModuleDestroy());

  const papers: TopicInput[] = [
    {
      title: 'Chain-of-thought reasoning with large language models',
      abstract: 'We improve chain-of-thought reasoning of large language models with test-time compute.',
      categories: ['cs.CL'],
      keywords: ['reasoning'],
    },
    { title: 'Diffusion models for text-to-image generation', abstract: 'A latent diffusion model.' },
    { title: 'Nothing to see', abstract: '' },
  ];

  it("should give each paper classifyTopics' tags, in order, for requests sent together", async () => {
    const [all, reversed] = await Promise.all([tagger.tag(papers), tagger.tag([...papers].reverse())]);
    expect(all).toEqual(papers.map((paper) => classifyTopics(paper)));
    expect(reversed).toEqual([...all].reverse());
    expect(all[0].map((tag) => tag.topic)).toEqual(expect.arrayContaining(['llm', 'reasoning']));
  });

  it('should answer an empty request without the worker', async () => {
    await expect(tagger.tag([])).resolves.toEqual([]);
  });
});
