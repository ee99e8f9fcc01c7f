import { DAY, now, useNotifier } from '../../../test/support/notifier-context';

/** Which papers a digest picks: topics, keywords, exclusions, upvotes, the window and the cap. */
describe('Notifier ledger', () => {
  const ctx = useNotifier('digest-matching');

  it('should pick matching, ready papers in the window, ranked by upvotes and capped', async () => {
    await ctx.newPaper('Popular LLM paper', { upvotes: 50, topics: ['llm'] });
    await ctx.newPaper('Quiet LLM paper', { upvotes: 1, topics: ['llm'] });
    await ctx.newPaper('Middle LLM paper', { upvotes: 10, topics: ['llm'] });
    await ctx.newPaper('Vision paper', { upvotes: 99, topics: ['vision'] });
    await ctx.newPaper('Old LLM paper', { upvotes: 99, topics: ['llm'], listedAt: new Date(now.getTime() - 3 * DAY) });
    await ctx.newPaper('Unready LLM paper', { upvotes: 99, topics: ['llm'], ready: false });
    await ctx.newSubscription({ topics: ['llm'], maxPapers: 2 });
    const [digestId] = await ctx.runDigests(now);
    expect(await ctx.digestPapers(digestId)).toEqual(['Popular LLM paper', 'Middle LLM paper']);
    const { rows } = await ctx.sql.query(`SELECT status, "paperCount", "omittedCount" FROM digests WHERE id = $1`, [
      digestId,
    ]);
    expect(rows[0]).toEqual({ status: 'sent', paperCount: 2, omittedCount: 1 });
    expect(ctx.received).toHaveLength(1);
    // Unfolded: a long header is wrapped onto several lines at its spaces.
    const header = (key: string): string | undefined =>
      ctx.received[0].mail.headerLines
        .find((line) => line.key === key)
        ?.line.replace(/\r?\n(?=[ \t])/g, '')
        .replace(/^[^:]+:\s*/, '');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // The https link (one click) and a mailto: to the sender with the same signed token in the subject.
    const [, https, token, mailto] =
      /^<(https:\/\/papers\.example\.org\/unsubscribe\?token=([^>]+))>, <(mailto:[^>]+)>$/.exec(
        header('list-unsubscribe') ?? '',
      ) ?? [];
    expect(https).toBeDefined();
    expect(mailto).toBe(
      `mailto:paperboy@localhost?subject=${encodeURIComponent(`unsubscribe ${decodeURIComponent(token)}`)}`,
    );
    expect(header('list-id')).toBe('Paperboy digest <digest.papers.example.org>');
    expect(ctx.received[0].mail.messageId).toBe(`<digest-${digestId}@papers.example.org>`);
    expect(ctx.received[0].mail.html).toContain(`href="https://papers.example.org/digests/${digestId}?token&#x3D;`);
    expect(ctx.received[0].mail.text).toContain('1. Popular LLM paper');
    expect(ctx.received[0].mail.text).toContain('And 1 more matching paper, left out by your cap.');
    expect(ctx.received[0].mail.text).toMatch(
      /Manage your preferences: https:\/\/papers\.example\.org\/manage\?id=[0-9a-f-]+&token=\S+/,
    );
  });

  it('should match keywords with full-text search syntax and stemming', async () => {
    await ctx.newPaper('Scaling test-time compute', { abstract: 'We study test-time scaling of reasoning models.' });
    await ctx.newPaper('Quantized transformers', { abstract: 'Post-training quantization of large models.' });
    await ctx.newPaper('A survey of quantization', { abstract: 'This survey covers quantization.' });
    await ctx.newPaper('Unrelated', { abstract: 'Graph neural networks for molecules.' });
    await ctx.newSubscription({ keywords: ['"test-time scaling"', 'quantization -survey'] });
    const [digestId] = await ctx.runDigests(now);
    expect((await ctx.digestPapers(digestId)).sort()).toEqual(['Quantized transformers', 'Scaling test-time compute']);
  });

  it('should leave out excluded topics and papers below the minimum upvotes', async () => {
    await ctx.newPaper('Wanted', { upvotes: 10, topics: ['llm'] });
    await ctx.newPaper('Also safety', { upvotes: 10, topics: ['llm', 'safety'] });
    await ctx.newPaper('Too quiet', { upvotes: 2, topics: ['llm'] });
    await ctx.newSubscription({ topics: ['llm'], excludeTopics: ['safety'], minUpvotes: 5 });
    const [digestId] = await ctx.runDigests(now);
    expect(await ctx.digestPapers(digestId)).toEqual(['Wanted']);
  });
});
