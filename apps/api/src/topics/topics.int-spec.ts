import { TOPIC_SLUGS, TOPICS } from '@libs/domain';
import { useApi } from '../../../../test/support/api-context';

/** The topic list. */
describe('GET /api/topics', () => {
  const ctx = useApi('topics');
  const { http } = ctx;

  it('should list the 21 topics with slug, name and scope in taxonomy order, llm first', async () => {
    const response = await http().get('/api/topics');

    expect(response.status).toBe(200);
    const topics = response.body as { slug: string; name: string; scope: string }[];
    expect(topics).toHaveLength(21);
    expect(topics[0].slug).toBe('llm');
    expect(topics.map((topic) => topic.slug)).toEqual([...TOPIC_SLUGS]);
    for (const topic of topics) {
      expect(Object.keys(topic).sort()).toEqual(['name', 'scope', 'slug']);
      expect(topic.name.length).toBeGreaterThan(0);
      expect(topic.scope.length).toBeGreaterThan(0);
    }
    expect(topics).toEqual(TOPICS);
  });
});
