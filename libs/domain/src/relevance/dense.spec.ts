import { addDenseSimilarity, DENSE_SIMILARITY_WEIGHT, DenseWindow, denseSimilarities, type VotedVector } from './dense';
import { pickForYou } from './selection';

const v = (...values: number[]): Float32Array => Float32Array.from(values);

describe('the dense term of a for-you score', () => {
  // Three directions: "kv cache" papers point along x, diffusion along y, robots along z.
  const liked: VotedVector = { paperId: 'liked-kv', vote: 'up', vector: v(2, 0, 0) };
  const disliked: VotedVector = { paperId: 'disliked-robots', vote: 'down', vector: v(0, 0, 3) };
  const ids = ['diffusion', 'kv', 'robots', 'no-embedding'];
  const upvotes = Int32Array.from([0, 0, 0, 0]);
  const window = new DenseWindow([v(0.1, 1, 0), v(1, 0.1, 0), v(0.2, 0, 1), undefined]);
  // The tf-idf model slightly prefers the diffusion paper, then the one without an embedding.
  const tfIdf = (): Float32Array => Float32Array.from([0.3, 0.2, 0.2, 0.25]);

  it('ranks the paper closest to the liked ones first once the dense term is added, and changes nothing without it', () => {
    const similarities = denseSimilarities(window, [liked, disliked]);
    const order = (scores: Float32Array): string[] => pickForYou({ ids, upvotes }, scores, 3).map((pick) => pick.id);

    expect(order(tfIdf())).toEqual(['diffusion', 'no-embedding', 'kv']);
    expect(order(addDenseSimilarity(tfIdf(), window, similarities))).toEqual(['kv', 'no-embedding', 'diffusion']);
    expect(order(addDenseSimilarity(tfIdf(), window, similarities, undefined, 0))).toEqual([
      'diffusion',
      'no-embedding',
      'kv',
    ]);
  });

  it('leaves a paper without an embedding at its tf-idf score, and centres the others on their mean cosine', () => {
    const similarities = denseSimilarities(window, [liked, disliked])!;
    const scores = addDenseSimilarity(tfIdf(), window, similarities);
    expect(scores[3]).toBe(Math.fround(0.25));
    const mean = (similarities[0] + similarities[1] + similarities[2]) / 3;
    [0, 1, 2].forEach((i) =>
      expect(scores[i]).toBeCloseTo(tfIdf()[i] + DENSE_SIMILARITY_WEIGHT * (similarities[i] - mean), 5),
    );
    // The disliked direction pushes the robots paper below the diffusion paper, which the profile ignores.
    expect(similarities[2]).toBeLessThan(similarities[0]);
  });

  it('only counts and moves the eligible candidates', () => {
    const similarities = denseSimilarities(window, [liked])!;
    const eligible = Uint8Array.from([1, 1, 0, 1]);
    const scores = addDenseSimilarity(tfIdf(), window, similarities, eligible);
    expect(scores[2]).toBe(Math.fround(0.2));
    const mean = (similarities[0] + similarities[1]) / 2;
    expect(scores[1]).toBeCloseTo(0.2 + DENSE_SIMILARITY_WEIGHT * (similarities[1] - mean), 5);
  });

  it('is the cosine to the centroid of liked minus half the disliked, whatever the vectors’ lengths', () => {
    const similarities = denseSimilarities(window, [liked, disliked])!;
    // profile = (1, 0, 0) − 0.5 (0, 0, 1); candidate kv = (1, 0.1, 0) / |…|.
    const profile = [1, 0, -0.5];
    const kv = [1, 0.1, 0];
    const cosine = profile.reduce((sum, p, d) => sum + p * kv[d], 0) / Math.hypot(...profile) / Math.hypot(...kv);
    expect(similarities[1]).toBeCloseTo(cosine, 5);
    expect(similarities[3]).toBe(0);
  });

  it('adds nothing without a liked paper, or when no candidate has an embedding', () => {
    expect(denseSimilarities(window, [disliked])).toBeNull();
    expect(denseSimilarities(new DenseWindow([undefined, undefined]), [liked])).toBeNull();
    expect(addDenseSimilarity(tfIdf(), window, null)).toEqual(tfIdf());
  });

  it('skips a voted vector of another length (another model) rather than mixing models', () => {
    const other: VotedVector = { paperId: 'other-model', vote: 'up', vector: v(1, 1, 1, 1) };
    expect(denseSimilarities(window, [liked, other])).toEqual(denseSimilarities(window, [liked]));
    expect(denseSimilarities(window, [other])).toBeNull();
    expect(window.cosinesOf('other-model', other.vector).every((cosine) => cosine === 0)).toBe(true);
  });
});
