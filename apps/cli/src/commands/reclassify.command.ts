import { Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { ReclassifyProgress, ReclassifyService } from '../reclassify.service';

const MAX_BATCH = 10_000;

@Command({
  name: 'reclassify',
  description: 'Re-tag every paper with the current topic rules; digests already sent stay as they were',
})
export class ReclassifyCommand extends CommandRunner {
  constructor(private readonly reclassifier: ReclassifyService) {
    super();
  }

  async run(_args: string[], options: { batch: number }): Promise<void> {
    // A bar on a terminal; a line per batch in logs and pipes, where a redrawn bar would be noise.
    const bar = process.stderr.isTTY
      ? new SingleBar(
          {
            format: 'Reclassifying [{bar}] {value}/{total} papers | {retagged} re-tagged | {eta_formatted}',
            hideCursor: true,
          },
          Presets.shades_classic,
        )
      : null;
    const result = await this.reclassifier.reclassify({
      batchSize: options.batch,
      onStart: (total) => bar?.start(total, 0, { retagged: 0 }),
      onBatch: (progress) => {
        if (bar) {
          bar.setTotal(progress.total);
          bar.update(progress.done, { retagged: progress.retagged });
        } else {
          process.stderr.write(
            `batch ${progress.batches}: ${progress.done}/${progress.total} papers, ${progress.retagged} re-tagged\n`,
          );
        }
      },
    });
    bar?.stop();
    console.log(summary(result));
  }

  @Option({ flags: '--batch <size>', description: `papers per transaction (1 to ${MAX_BATCH})`, defaultValue: 500 })
  parseBatch(value: string): number {
    return parseBatchSize(value);
  }
}

export function parseBatchSize(value: string): number {
  const size = Number(value);
  if (!/^\d+$/.test(value.trim()) || size < 1 || size > MAX_BATCH) {
    throw new Error(`--batch must be a whole number from 1 to ${MAX_BATCH} (got "${value}")`);
  }
  return size;
}

function summary(result: ReclassifyProgress): string {
  const keys = result.titleKeys > 0 ? `; ${result.titleKeys} title key(s) refreshed` : '';
  return `Reclassified ${result.done} paper(s) in ${result.batches} batch(es): ${result.retagged} re-tagged, ${
    result.done - result.retagged
  } unchanged${keys}. Digests already sent are unchanged.`;
}
