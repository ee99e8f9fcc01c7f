import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rocAuc } from './evaluation';
import { explainPick, explanationText, PickExplainer, type LikedPaper } from './explain';
import { DocumentFrequencies, dot, surfaceForms, termCounts, TfIdfFeaturizer, type SparseVector } from './features';
import { modelSize, trainRelevanceModel } from './model';
import { CandidateIndex, FOLLOWED_AUTHOR_BOOST, similarPapers } from './scoring';

/** The ranking fixture: 236 real papers on a 14-day timeline and 13 pseudo-users labelled by reading. */
interface FixturePaper {
  id: string;
  day: number;
  title: string;
  abstract: string;
  authors: string[];
  upvotes: number;
}
const fixtures = join(__dirname, '../../../../test/fixtures/ranking');
const { papers } = JSON.parse(readFileSync(join(fixtures, 'papers.json'), 'utf8')) as { papers: FixturePaper[] };
const users = JSON.parse(readFileSync(join(fixtures, 'users.json'), 'utf8')) as { id: string; relevant: string[] }[];
const featurizer = new TfIdfFeaturizer(DocumentFrequencies.of(papers.map(termCounts)));
const vectors = new Map(papers.map((paper) => [paper.id, featurizer.vectorize(termCounts(paper))]));
const byTitle = (start: string): FixturePaper => papers.find((paper) => paper.title.startsWith(start))!;
const vectorOf = (paper: FixturePaper): SparseVector => vectors.get(paper.id)!;
const train = papers.filter((paper) => paper.day <= 7);
const test = papers.filter((paper) => paper.day > 7);

describe('trainRelevanceModel', () => {
  it('has nothing to rank by until something is liked', () => {
    expect(trainRelevanceModel({ liked: [], disliked: [vectorOf(papers[0])], background: [] })).toBeNull();
  });

  it('weighs the liked papers’ words for and the disliked papers’ against, within the size budget', () => {
    const liked = ['LRP-QViT', 'MixDQ', 'Quantized Spike-driven'].map(byTitle);
    const disliked = ['Flow Matching in Latent Space', 'DART-Math'].map(byTitle);
    const model = trainRelevanceModel({
      liked: liked.map(vectorOf),
      disliked: disliked.map(vectorOf),
      background: train.map(vectorOf),
    })!;
    const weight = (term: string): number => model.weights[model.terms.indexOf(term)];
    expect(weight('quantization')).toBeGreaterThan(0);
    expect(weight('flow matching')).toBeLessThan(0);
    expect(model.terms.length).toBeLessThanOrEqual(200);
    expect(modelSize(model)).toBeLessThanOrEqual(4096);
    expect([model.liked, model.disliked]).toEqual([3, 2]);
  });

  it('is deterministic', () => {
    const set = {
      liked: papers.slice(0, 4).map(vectorOf),
      disliked: papers.slice(4, 6).map(vectorOf),
      background: train.map(vectorOf),
    };
    const first = trainRelevanceModel(set)!;
    const second = trainRelevanceModel(set)!;
    expect(second.terms).toEqual(first.terms);
    expect(Array.from(second.weights)).toEqual(Array.from(first.weights));
  });

  it('ranks each pseudo-user’s later papers well from 5 up- and 3 down-votes on earlier ones (AUC floor)', () => {
    const index = new CandidateIndex(test.map((paper) => ({ id: paper.id, vector: vectorOf(paper) })));
    const aucs = users.map((user) => {
      const relevant = new Set(user.relevant);
      const liked = train.filter((paper) => relevant.has(paper.id)).slice(0, 5);
      const disliked = train
        .filter((paper) => !relevant.has(paper.id))
        .sort((a, b) => b.upvotes - a.upvotes)
        .slice(0, 3);
      const model = trainRelevanceModel({
        liked: liked.map(vectorOf),
        disliked: disliked.map(vectorOf),
        background: train.map(vectorOf),
      })!;
      const scores = index.score(model);
      return rocAuc(new Map(index.ids.map((id, i) => [id, scores[i]])), relevant);
    });
    const upvotes = users.map((user) =>
      rocAuc(new Map(test.map((paper) => [paper.id, paper.upvotes])), new Set(user.relevant)),
    );
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(aucs)).toBeGreaterThan(0.8);
    expect(mean(aucs)).toBeGreaterThan(mean(upvotes) + 0.2);
  });
});

describe('CandidateIndex', () => {
  const candidates = test.slice(0, 40).map((paper) => ({ id: paper.id, vector: vectorOf(paper) }));
  const index = new CandidateIndex(candidates);

  it('scores each candidate as the dot product of the model and its vector', () => {
    const model = { terms: vectorOf(train[0]).terms, weights: vectorOf(train[0]).weights };
    const scores = index.score(model);
    candidates.forEach((candidate, i) => expect(scores[i]).toBeCloseTo(dot(model, candidate.vector), 5));
  });

  it('puts the papers of a followed author first ("J. Doe" follows "Jane Doe")', () => {
    const withAuthor = test.slice(0, 40).findIndex((paper) => paper.authors.length > 0);
    const name = test[withAuthor].authors[0];
    const initial = name.split(' ')[0][0];
    const surname = name.split(' ').at(-1)!;
    const scores = index.score({ terms: [], weights: new Float32Array() }, [`${initial}. ${surname}`]);
    expect(scores[withAuthor]).toBeGreaterThanOrEqual(FOLLOWED_AUTHOR_BOOST);
    expect(scores.filter((score) => score === 0).length).toBeGreaterThan(30);
  });
});

describe('similarPapers', () => {
  it('finds the papers closest in text, best first, without the paper itself', () => {
    const target = byTitle('LRP-QViT');
    const similar = similarPapers(
      { id: target.id, vector: vectorOf(target) },
      papers.map((paper) => ({ id: paper.id, vector: vectorOf(paper) })),
      5,
    );
    expect(similar).toHaveLength(5);
    expect(similar.map((entry) => entry.id)).not.toContain(target.id);
    expect(similar.map((entry) => entry.similarity)).toEqual(
      [...similar.map((entry) => entry.similarity)].sort((a, b) => b - a),
    );
    const titles = similar.map((entry) => papers.find((paper) => paper.id === entry.id)!.title);
    expect(titles.filter((title) => /quanti/i.test(title)).length).toBeGreaterThanOrEqual(3);
  });
});

describe('explainPick', () => {
  const liked: LikedPaper[] = ['LRP-QViT', 'Flow Matching in Latent Space'].map(byTitle).map((paper) => ({
    id: paper.id,
    title: paper.title,
    vector: vectorOf(paper),
  }));
  const model = trainRelevanceModel({
    liked: liked.map((paper) => paper.vector),
    disliked: [],
    background: train.map(vectorOf),
  });
  const paper = byTitle('Model Quantization and Hardware Acceleration for Vision Transformers');

  it('names the liked paper it is most like and the words that weigh most, as the paper spells them', () => {
    const explanation = explainPick(
      { vector: vectorOf(paper), authors: paper.authors },
      surfaceForms(paper),
      model,
      liked,
    );
    expect(explanation.similarTo?.title).toMatch(/^LRP-QViT/);
    expect(explanation.matches.length).toBeGreaterThan(0);
    expect(explanation.matches.length).toBeLessThanOrEqual(3);
    const text = `${paper.title} ${paper.abstract}`;
    explanation.matches.forEach((match) => expect(text).toContain(match));
    expect(explanationText(explanation)).toMatch(
      /^Similar to “LRP-QViT.*”, which you liked\. Matches what you like: .+\.$/,
    );
  });

  it('says nothing is similar when no liked paper is close, and marks explore slots', () => {
    const unrelated = byTitle('Symbolic Music Generation');
    const explanation = explainPick({ vector: vectorOf(unrelated) }, surfaceForms(unrelated), model, liked, {
      policy: 'explore',
    });
    expect(explanation.similarTo).toBeNull();
    expect(explanationText(explanation)).toMatch(/^Popular this period/);
    expect(explanationText(explanation)).not.toMatch(/score|weight|\d/);
  });

  it('explains a digest’s picks as explainPick does, from given similarities to the liked papers too', () => {
    const explainer = new PickExplainer(model, liked);
    const index = new CandidateIndex(test.map((candidate) => ({ id: candidate.id, vector: vectorOf(candidate) })));
    const toLiked = liked.map((likedPaper) => index.score(likedPaper.vector));
    test.slice(0, 30).forEach((candidate, at) => {
      const expected = explainPick({ vector: vectorOf(candidate) }, surfaceForms(candidate), model, liked);
      expect(explainer.explain({ vector: vectorOf(candidate) }, surfaceForms(candidate))).toEqual(expected);
      const given = toLiked.map((similarities) => similarities[at]);
      expect(explainer.explain({ vector: vectorOf(candidate) }, surfaceForms(candidate), 'model', given)).toEqual(
        expected,
      );
      // The model's weights by the index's term ids, and the pick's term ids: the same explanation.
      const termIds = index.termIdsOf(model!.terms);
      const byTerm = new Float32Array(index.terms.length);
      termIds.forEach((id, i) => id >= 0 && (byTerm[id] = model!.weights[i]));
      const indexed = new PickExplainer(model, liked, [], { byTerm });
      const pick = { vector: vectorOf(candidate), termIds: index.candidateTerms[at] };
      expect(indexed.explain(pick, surfaceForms(candidate), 'model', given)).toEqual(expected);
    });
    expect(
      test
        .slice(0, 30)
        .some(
          (candidate) =>
            explainPick({ vector: vectorOf(candidate) }, surfaceForms(candidate), model, liked).matches.length > 0,
        ),
    ).toBe(true);
    // The similarities given are the ones used.
    const far = explainer.explain({ vector: vectorOf(paper) }, surfaceForms(paper), 'model', [0, 0.2]);
    expect(far.similarTo?.title).toBe('Flow Matching in Latent Space');
  });

  it('names a followed author', () => {
    const withAuthors = papers.find((candidate) => candidate.authors.length > 1)!;
    const explanation = explainPick(
      { vector: vectorOf(withAuthors), authors: withAuthors.authors },
      surfaceForms(withAuthors),
      null,
      [],
      { followedAuthors: [withAuthors.authors[1].toUpperCase()] },
    );
    expect(explanation.followedAuthor).toBe(withAuthors.authors[1]);
    expect(explanationText(explanation)).toBe(`By ${withAuthors.authors[1]}, whom you follow.`);
  });
});
