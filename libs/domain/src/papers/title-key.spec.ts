import { hasLeadingTag, isMatchableTitleKey, MAX_TITLE_KEY_LENGTH, titleKey } from './title-key';

describe('titleKey', () => {
  it.each([
    ['Scaling Laws for Neural Language Models', 'Scaling laws for neural language models.'],
    ['Scaling for\n  Contrastive Loss', 'Scaling for Contrastive Loss'],
    ['$\\alpha$-Divergence Preference Optimization', 'α-Divergence Preference Optimization'],
    ['$\\alpha$-Divergence Preference Optimization', 'Alpha Divergence Preference Optimization'],
    ['Learning $\\varepsilon$-Optimal Policies', 'Learning ε-optimal policies'],
    ['[PREPRINT] Attention Is All You Need', 'Attention is all you need'],
    ['[v2] Attention Is All You Need', 'Attention Is All You Need [v2]'],
    ['(Preprint) Attention Is All You Need', 'ATTENTION IS ALL YOU NEED'],
    ['Test-Time Scaling of Reasoning Models', 'Test Time Scaling of Reasoning Models'],
    ['Pre-training Vision Transformers', 'Pretraining vision transformers'],
    ['\\emph{Mixture-of-Experts} Routing at Scale', 'Mixture of Experts Routing at Scale'],
    ['\\textbf{Sparse} Attention with $\\mathcal{O}(n)$ Memory', 'Sparse attention with O(n) memory'],
    ['Schr\\"odinger Bridges for Generative Modeling', 'Schrödinger Bridges for Generative Modeling'],
    ['Étude des modèles de langage', 'Etude des modeles de langage'],
    ['Eﬃcient ﬁne-tuning of LLMs', 'Efficient fine-tuning of LLMs'],
    ['ＧＰＴ-4 Technical Report', 'GPT-4 Technical Report'],
    ['Data \\& Models: A Survey', 'Data and Models — a survey'],
    ['“Why Should I Trust You?”: Explaining Classifiers', '"Why should I trust you?" Explaining classifiers'],
    ['A \\LaTeX{} Corpus for Math Reasoning', 'A LaTeX Corpus for Math Reasoning'],
    ["Dvo\\v{r}\\'ak Kernels for Fran\\c cois", 'Dvořák kernels for François'],
    // LaTeX math and its Unicode symbol: one word for both.
    ['2$\\times$ Faster Speculative Decoding', '2× Faster Speculative Decoding'],
    ['2× Faster Speculative Decoding', '2x Faster Speculative Decoding'],
    ['Sample Complexity $\\leq$ Query Complexity', 'Sample Complexity ≤ Query Complexity'],
    ['Sample Complexity $\\le$ Query Complexity', 'Sample Complexity ≤ Query Complexity'],
    ['Regret $\\geq$ Sample Size', 'Regret ≥ Sample Size'],
    ['From Pixels $\\to$ Programs', 'From Pixels → Programs'],
    ['From Pixels $\\rightarrow$ Programs', 'From Pixels to Programs'],
    ['Attention Is $\\infty$-Expressive', 'Attention Is ∞-Expressive'],
    ['When $P \\neq NP$ for Transformers', 'When P ≠ NP for Transformers'],
    ['$\\Delta$-Networks and $\\beta$-VAEs', 'Δ-Networks and β-VAEs'],
    ['$\\epsilon$-Greedy $\\ell_1$ Exploration', 'ϵ-Greedy ℓ1 Exploration'],
    // Leading tags a source adds.
    ['[NeurIPS 2024] Scaling Laws for Routing', 'Scaling Laws for Routing'],
    ["(ICLR'25) Scaling Laws for Routing", 'Scaling Laws for Routing'],
    ['[ACL Findings 2024] Scaling Laws for Routing', 'Scaling Laws for Routing'],
    ['[arXiv] [Draft] Scaling Laws for Routing', 'Scaling Laws for Routing'],
    ['PREPRINT: Scaling Laws for Routing', 'Scaling Laws for Routing'],
    // Diacritics of Latin, Greek and Cyrillic go; so does a mark on an emoji.
    ['Ёлка: Модели языка', 'Елка: модели языка'],
    ['Ἀρχή Transformers', 'Αρχη Transformers'],
    ['Rocket \u{1F680}\uFE0F Training at Scale', 'Rocket Training at Scale'],
    // Arabic and Hebrew vowel points are optional: a title is written with them or without.
    ['نَمَاذِج اللُّغَة الكَبِيرَة', 'نماذج اللغة الكبيرة'],
    ['מוֹדֶלִים שֶׁל שָׂפָה', 'מודלים של שפה'],
  ])('should give %j and %j the same key', (a, b) => {
    expect(titleKey(a)).not.toBeNull();
    expect(titleKey(a)).toBe(titleKey(b));
  });

  it.each([
    ['Scaling Laws for Data Filtering', 'Scaling Laws for Data Mixing'],
    ['Llama 2: Open Foundation and Fine-Tuned Chat Models', 'Llama 3: Open Foundation and Fine-Tuned Chat Models'],
    ['(Un)fair Attention in Transformers', 'Fair Attention in Transformers'],
    ['Agents for Data Science', 'Data Science for Agents'],
    ['Vision Transformers Need Registers', 'Vision Transformers Need Registers: A Follow-up'],
    ['Sample Complexity ≤ Query Complexity', 'Sample Complexity ≥ Query Complexity'],
    // Only known tags are dropped: "[CLS]" is part of this title.
    ['[CLS] Tokens Are Secretly Registers', 'Tokens Are Secretly Registers'],
    ['[2024] Tokens Are Secretly Registers', 'Tokens Are Secretly Registers'],
    // A combining mark that is a letter of its script: Hindi vowel sign ा, Japanese dakuten.
    ['कम लागत वाले भाषा मॉडल', 'काम लागत वाले भाषा मॉडल'],
    ['ハードウェアの最適化', 'ハートウェアの最適化'],
  ])('should keep %j and %j apart', (a, b) => {
    expect(titleKey(a)).not.toBe(titleKey(b));
  });

  it('should key the normalised text in lower case without separators', () => {
    expect(titleKey('[PREPRINT]  Test-Time Scaling, Revisited!')).toBe('testtimescalingrevisited');
    expect(titleKey('大型语言模型的推理能力研究')).toBe('大型语言模型的推理能力研究');
  });

  it('should have no key for a title without letters or digits', () => {
    expect(titleKey('')).toBeNull();
    expect(titleKey(' -- ?! ')).toBeNull();
    expect(titleKey('$ $')).toBeNull();
  });

  it('should cap the key so any title fits a btree index entry', () => {
    expect(titleKey('语'.repeat(1000))).toHaveLength(MAX_TITLE_KEY_LENGTH);
    expect(titleKey('a'.repeat(100_000))).toHaveLength(MAX_TITLE_KEY_LENGTH);
    // Never half a character: the cut falls inside a surrogate pair here, and the whole pair goes.
    expect(titleKey(`a${'\u{20000}'.repeat(300)}`)).toBe(`a${'\u{20000}'.repeat(255)}`);
  });
});

describe('hasLeadingTag', () => {
  it.each([
    '[PREPRINT] Attention',
    '(v2) Attention',
    '[NeurIPS 2024] Attention',
    'Preprint: Attention',
    ' [arXiv] Attention',
  ])('should see the tag of %j', (title) => {
    expect(hasLeadingTag(title)).toBe(true);
  });

  it.each(['[CLS] Tokens Are Secretly Registers', '(Un)fair Attention', 'Preprints as a Source', 'Attention [v2]'])(
    'should see no tag in %j',
    (title) => {
      expect(hasLeadingTag(title)).toBe(false);
    },
  );
});

describe('isMatchableTitleKey', () => {
  it('should refuse keys too generic to match by', () => {
    expect(isMatchableTitleKey(titleKey('Gemma 2'))).toBe(false);
    expect(isMatchableTitleKey(null)).toBe(false);
    expect(isMatchableTitleKey(titleKey('Attention Is All You Need'))).toBe(true);
  });
});
