import { measureTopicQuality } from './topic-metrics';

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
