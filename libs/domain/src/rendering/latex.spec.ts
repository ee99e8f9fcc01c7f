import { readableLatex, titleName } from './latex';

describe('readableLatex', () => {
  it.each([
    // The examples of issue 15: a paper's own macro, and math.
    ['We present \\model, a new agent.', 'We present, a new agent.'],
    ['\\model is fast', 'is fast'],
    ['sorting in $\\mathcal{O}(n \\log n)$ time', 'sorting in 𝒪(n log n) time'],
    ['$\\mathcal{O}(n)$ memory', '𝒪(n) memory'],
    // Greek, relations, super- and subscripts.
    ['$\\alpha$-entmax and $\\beta \\leq 0.5$', 'α-entmax and β ≤ 0.5'],
    ['a $2\\times$ speed-up', 'a 2× speed-up'],
    ['$x^2 + y_i = z^{-1}$', 'x² + yᵢ = z⁻¹'],
    ['$W^{(l)}_{ij}$', 'W⁽ˡ⁾ᵢⱼ'],
    ['$\\mathbb{R}^{d}$ and $\\mathbb{R}^{n \\times d}$', 'ℝᵈ and ℝ^(n × d)'],
    ['$x_{\\text{max}}$', 'xₘₐₓ'],
    ['$h_{\\theta}$', 'h_θ'],
    ['$\\frac{1}{2}$ and $\\frac{a+b}{c}$', '1/2 and (a+b)/c'],
    ['$\\sqrt{d}$ and $\\sqrt{n+1}$', '√d and √(n+1)'],
    ['$\\hat{y}$ vs $\\bar{x}$', 'ŷ vs x̄'],
    ['\\(a \\to b\\) and \\[E = mc^2\\]', 'a → b and E = mc²'],
    ['$$\\sum_{i=1}^{n} x_i$$', '∑ᵢ₌₁ⁿ xᵢ'],
    ['$\\left( \\frac{a}{b} \\right)$', '( a/b )'],
    ['$\\operatorname*{argmax}_x f$', 'argmaxₓ f'],
    // Text mode: formatting kept as text, accents, escapes, quotes, ties.
    ['\\textbf{BERT} and \\emph{really} \\textsc{Fast}', 'BERT and really Fast'],
    ['{\\em emphasis} and {\\bf bold}', 'emphasis and bold'],
    ['Schr\\"odinger, G\\\'{e}rard, \\c{C}elik, Ku\\v{c}era, na\\"{\\i}ve', 'Schrödinger, Gérard, Çelik, Kučera, naïve'],
    ['Erd{\\H o}s and {\\o}rsted, \\ss', 'Erdős and ørsted, ß'],
    ['50\\% fewer \\& faster, cost \\$5, \\#1', '50% fewer & faster, cost $5, #1'],
    ['``quoted\'\' text', '“quoted” text'],
    ['a \\0.08 fee', 'a 0.08 fee'],
    ['see Figure~3 of \\S 2 for ~100 tokens', 'see Figure 3 of § 2 for ~100 tokens'],
    ['as shown \\cite{smith2020} here', 'as shown here'],
    ['results \\citep[p.~3]{a,b}.', 'results.'],
    ['code at \\url{https://github.com/a/b}', 'code at https://github.com/a/b'],
    ['\\href{https://x.org}{our site}', 'our site'],
    ['\\begin{itemize} \\item one \\end{itemize}', 'one'],
    ['\\unknownmacro{kept text} stays', 'kept text stays'],
  ])('should read %j as %j', (latex, readable) => {
    expect(readableLatex(latex)).toBe(readable);
  });

  it("should read a paper's own-name macro as the name its title gives, and common abbreviations", () => {
    const title = 'LightGen: Efficient Image Generation through Distillation';
    expect(titleName(title)).toBe('LightGen');
    expect(readableLatex('we introduce \\model, an efficient \\method.', { ownName: titleName(title) })).toBe(
      'we introduce LightGen, an efficient LightGen.',
    );
    expect(readableLatex('we introduce \\model, and \\otherthing.', { ownName: 'X' })).toBe('we introduce X, and.');
    expect(readableLatex('models, \\eg GPT, \\ie large ones \\etal')).toBe('models, e.g. GPT, i.e. large ones et al.');
    expect(titleName('Scaling laws for the training of very large models: a survey')).toBeUndefined();
    expect(titleName('No colon here')).toBeUndefined();
  });

  it.each([
    'A plain title: Scaling Laws for Agents',
    'It costs $5 to $10 per run',
    'Prices: $5, $10',
    'An email-like a_b^c text with ~100 tokens (no LaTeX)',
    'x < y && y > z',
    'naïve 😀 — done',
    'D^{2}MoE and url{http://github.com/a/b}',
    "it's 'quoted' ''twice''",
    '',
  ])('should leave text without LaTeX as it is: %j', (text) => {
    expect(readableLatex(text)).toBe(text);
  });

  it('should survive hostile input: unclosed groups and math, stray backslashes, deep nesting', () => {
    expect(readableLatex('\\textbf{unclosed')).toBe('unclosed');
    expect(readableLatex('a $x^{2 unclosed')).toBe('a $x^2 unclosed');
    expect(readableLatex('\\(unclosed math')).toBe('unclosed math');
    expect(readableLatex('trailing \\')).toBe('trailing');
    expect(readableLatex('\\relax}}} closing {{{')).toBe('closing');
    const deep = `${'{'.repeat(20_000)}core${'}'.repeat(20_000)}`;
    expect(readableLatex(deep)).toContain('core');
    const many = '\\alpha'.repeat(20_000);
    const started = performance.now();
    expect(readableLatex(many)).toBe('α'.repeat(20_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('should keep markup characters as text: escaping is the output format\'s job', () => {
    expect(readableLatex('\\textbf{<script>} & $a<b$')).toBe('<script> & a<b');
  });
});
