import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PhrasePrefilter, requiredLiterals } from './phrase-prefilter';
import { TOPIC_RULES } from './topic-rules';

describe('requiredLiterals', () => {
  it('reads the longest run of required characters, lower-cased', () => {
    expect(requiredLiterals('Chains?[- ]of[- ]thoughts?')).toEqual(['thought']);
    expect(requiredLiterals('llms?')).toEqual(['llm']);
    expect(requiredLiterals('a{3}b')).toEqual(['aaab']);
    expect(requiredLiterals('ab+cd')).toEqual(['ab']);
    expect(requiredLiterals('llama\\.cpp')).toEqual(['llama.cpp']);
  });

  it('needs a literal in every alternative, and reads required groups', () => {
    expect(requiredLiterals('rlhf|dpo')).toEqual(['rlhf', 'dpo']);
    expect(requiredLiterals('(?:test|inference)-time')).toEqual(['-time']);
    expect(requiredLiterals('x(?:alpha|beta)')).toEqual(['alpha', 'beta']);
    expect(requiredLiterals('(?:large )?vision')).toEqual(['vision']);
    expect(requiredLiterals('llm|\\d+')).toBeNull();
  });

  it('treats classes, escapes, assertions and non-ASCII characters as breaks between runs', () => {
    expect(requiredLiterals('ab[xy]cde')).toEqual(['cde']);
    expect(requiredLiterals('ab\\w*cde')).toEqual(['cde']);
    expect(requiredLiterals('abc(?=d)ef')).toEqual(['abc']);
    expect(requiredLiterals('abcé')).toEqual(['abc']);
    expect(requiredLiterals('σ')).toBeNull();
    expect(requiredLiterals('.*')).toBeNull();
  });

  it('gives up on syntax it does not read', () => {
    expect(requiredLiterals('(?<name>llm)')).toBeNull();
    expect(requiredLiterals('llm\\u0041')).toBeNull();
    expect(requiredLiterals('llm)')).toBeNull();
  });
});

describe('PhrasePrefilter', () => {
  it('finds every literal, overlapping ones and ones inside others included', () => {
    const prefilter = new PhrasePrefilter([['abcd'], ['bc'], ['cdx', 'zz'], ['c']]);
    expect(prefilter.candidates('xABCE')).toEqual([false, true, false, true]);
    expect(prefilter.candidates('abcdx')).toEqual([true, true, true, true]);
    expect(prefilter.candidates('ab-cd')).toEqual([false, false, false, true]);
    expect(prefilter.candidates('')).toEqual([false, false, false, false]);
  });

  it('restarts after a character no literal has, and always passes groups without literals', () => {
    const prefilter = new PhrasePrefilter([['llm'], null, []]);
    expect(prefilter.candidates('lléllm')).toEqual([true, true, true]);
    expect(prefilter.candidates('llélm')).toEqual([false, true, true]);
  });

  // The property the topic classifier relies on: a pattern never matches a text without one of its literals.
  it('never rules out a rule-book phrase that matches a text', () => {
    const fixture = path.join(__dirname, '../../../../test/fixtures/topics/labelled-papers.json');
    const papers = JSON.parse(readFileSync(fixture, 'utf8')) as { title: string; abstract: string }[];
    const texts = papers.flatMap((paper) => [paper.title, paper.abstract, paper.abstract.toUpperCase()]);
    let matched = 0;
    for (const { phrases } of TOPIC_RULES.topics) {
      for (const { pattern } of phrases) {
        const literals = requiredLiterals(pattern);
        expect(literals).not.toBeNull();
        const regex = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])(?:${pattern})(?![\\p{L}\\p{N}\\p{M}_])`, 'giu');
        for (const text of texts) {
          for (const match of text.matchAll(regex)) {
            matched += 1;
            expect(literals?.some((literal) => match[0].toLowerCase().includes(literal))).toBe(true);
          }
        }
      }
    }
    expect(matched).toBeGreaterThan(1000);
  });
});
