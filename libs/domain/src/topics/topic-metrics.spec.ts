import { measureHeldOutQuality, measureTopicQuality } from './topic-metrics';

describe('measureTopicQuality', () => {
  it('should count per-topic and micro precision, recall and F1, and untagged papers', () => {
    const quality = measureTopicQuality([
      { expected: ['llm', 'reasoning'], predicted: ['llm'] },
      { expected: ['llm'], predicted: ['llm', 'code'] },
      { expected: ['audio'], predicted: [] },
    ]);
    const llm = quality.perTopic.find((entry) => entry.topic === 'llm');
    const code = quality.perTopic.find((entry) => entry.topic === 'code');

    expect(llm).toMatchObject({ support: 2, truePositives: 2, falsePositives: 0, falseNegatives: 0, f1: 1 });
    expect(code).toMatchObject({ support: 0, truePositives: 0, falsePositives: 1, precision: 0, recall: 0, f1: 0 });
    // 2 true positives, 1 false positive, 2 false negatives.
    expect(quality.micro.precision).toBeCloseTo(2 / 3);
    expect(quality.micro.recall).toBeCloseTo(2 / 4);
    expect(quality.micro.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
    // llm 1, reasoning 0, code 0, audio 0: topics with neither support nor predictions do not count.
    expect(quality.macroF1).toBeCloseTo(1 / 4);
    expect(quality.untagged).toBe(1);
    expect(quality.perTopic).toHaveLength(21);
  });

  it('should report zeros, not NaN, for an empty set', () => {
    const quality = measureTopicQuality([]);

    expect(quality.micro).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(quality.macroF1).toBe(0);
    expect(quality.untagged).toBe(0);
  });
});

describe('measureHeldOutQuality', () => {
  it('should count clear tags found and missed, and only predictions outside clear and borderline as false tags', () => {
    const quality = measureHeldOutQuality([
      // llm found, reasoning missed, efficiency borderline (not false), code false.
      { clear: ['llm', 'reasoning'], borderline: ['efficiency'], predicted: ['llm', 'efficiency', 'code'] },
      // A missed borderline tag is no miss; a repeated prediction counts once.
      { clear: ['audio'], borderline: ['video'], predicted: ['audio', 'audio'] },
      { clear: ['llm'], borderline: [], predicted: [] },
    ]);
    const llm = quality.perTopic.find((entry) => entry.topic === 'llm');
    const reasoning = quality.perTopic.find((entry) => entry.topic === 'reasoning');
    const code = quality.perTopic.find((entry) => entry.topic === 'code');
    const efficiency = quality.perTopic.find((entry) => entry.topic === 'efficiency');

    expect(quality).toMatchObject({ papers: 3, clearTags: 4, foundClearTags: 2, predictedTags: 4, falseTags: 1 });
    expect(quality.recall).toBeCloseTo(2 / 4);
    expect(quality.falseTagRate).toBeCloseTo(1 / 4);
    expect(llm).toMatchObject({ clear: 2, found: 1, missed: 1, falseTags: 0, recall: 0.5 });
    expect(reasoning).toMatchObject({ clear: 1, found: 0, missed: 1, recall: 0 });
    expect(code).toMatchObject({ clear: 0, found: 0, missed: 0, falseTags: 1, recall: 0 });
    expect(efficiency).toMatchObject({ clear: 0, falseTags: 0 });
    expect(quality.perTopic).toHaveLength(21);
  });

  it('should report zeros, not NaN, when nothing is labelled or predicted', () => {
    const quality = measureHeldOutQuality([{ clear: [], borderline: ['llm'], predicted: [] }]);

    expect(quality).toMatchObject({ papers: 1, clearTags: 0, recall: 0, predictedTags: 0, falseTagRate: 0 });
  });
});
