import { ClassifierService } from './classifier.service';
import { useClassifierContext } from '../../../test/support/classifier-context';

/** Each source brings what it knows best to the merged paper. */
describe(`${ClassifierService.name}: metadata`, () => {
  const ctx = useClassifierContext('classifier-metadata');
  const { classified, paperOf, paperRow } = ctx;

  describe('metadata across sources', () => {
    it('should merge the best of each source into the paper and tag it from the merged text', async () => {
      const hf = await classified('hf', {
        arxivId: '2410.70001',
        title: 'Scaling for Contrastive Loss',
        abstract: 'Short HF abstract.',
        authors: ['A. Smith', 'B. Jones'],
        upvotes: 42,
        keywords: ['contrastive learning'],
        summary: 'An AI summary.',
        url: 'https://huggingface.co/papers/2410.70001',
        codeUrl: 'https://github.com/x/contrastive',
      });
      await classified('other', {
        arxivId: 'arXiv:2410.70001v1 [cs.CV]',
        title: 'Scaling for\n  Contrastive Loss',
        abstract: 'A longer abstract from the arXiv feed about scaling contrastive pretraining for object detection.',
        authors: ['Alice Smith', 'Bob Jones'],
        upvotes: null,
        categories: ['cs.CV', 'cs.LG'],
        projectUrl: 'https://example.org/contrastive',
      });
      const paper = await paperRow(await paperOf(hf));
      expect(paper).toMatchObject({
        title: 'Scaling for Contrastive Loss',
        abstract: 'A longer abstract from the arXiv feed about scaling contrastive pretraining for object detection.',
        authors: ['Alice Smith', 'Bob Jones'],
        upvotes: 42,
        keywords: ['contrastive learning'],
        categories: ['cs.CV', 'cs.LG'],
        summary: 'An AI summary.',
        url: 'https://huggingface.co/papers/2410.70001',
        codeUrl: 'https://github.com/x/contrastive',
        projectUrl: 'https://example.org/contrastive',
        version: 1,
      });
      const topics = await ctx.sql.query(`SELECT topic, evidence FROM paper_topics WHERE "paperId" = $1`, [paper.id]);
      // The phrase that tags it came with the second source's abstract.
      expect(topics.rows).toContainEqual({
        topic: 'vision',
        evidence: expect.arrayContaining([expect.stringContaining('object detection')]),
      });
    });
  });
});
