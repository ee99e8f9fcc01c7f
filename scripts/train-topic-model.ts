import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuleVerdicts, TOPIC_RULES } from '../libs/domain/src';
import { parseLabelledPapers, type LabelledPaper } from '../libs/domain/src/topics/labelled-papers';
import { fitTopicModel } from '../libs/domain/src/topics/topic-model';

/**
 * `npm run topics:train`: trains the topic model offline from the hand-labelled papers
 * (test/fixtures/topics/labelled-papers.json and training-papers.json) and writes
 * libs/domain/src/topics/topic-model.weights.json, which the classifier loads. Thresholds come from
 * cross-validation on the same papers; no held-out paper is ever read here.
 */
const root = join(__dirname, '..');
const TRAINING_FILES = ['test/fixtures/topics/labelled-papers.json', 'test/fixtures/topics/training-papers.json'];
const OUTPUT = join(root, 'libs/domain/src/topics/topic-model.weights.json');

function main(): void {
  const papers: LabelledPaper[] = TRAINING_FILES.filter((file) => existsSync(join(root, file))).flatMap((file) =>
    parseLabelledPapers(JSON.parse(readFileSync(join(root, file), 'utf8')), file),
  );
  // The model learns what the rules (with the paper's metadata) miss, so thresholds are set against them alone.
  const model = fitTopicModel(papers, createRuleVerdicts(TOPIC_RULES));
  writeFileSync(OUTPUT, `${JSON.stringify(model)}\n`);
  console.log(`Trained on ${papers.length} papers; wrote ${OUTPUT}`);
  for (const entry of model.topics) {
    console.log(
      `  ${entry.topic.padEnd(18)} alone ≥ ${entry.threshold.toFixed(3)}, with some rule evidence ≥ ` +
        `${entry.supportThreshold.toFixed(3)}  (${Object.keys(entry.weights).length} terms)`,
    );
  }
  console.log(`  ${Object.keys(model.idf).length} terms with an idf; ${readFileSync(OUTPUT).length} bytes`);
}

main();
