import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { SourceHealth, SourceRepository } from '@libs/database';
import { redactUrl } from '@libs/http';

@SubCommand({ name: 'status', description: 'Print every source with its health and latest run' })
export class SourcesStatusCommand extends CommandRunner {
  constructor(private readonly sources: SourceRepository) {
    super();
  }

  async run(): Promise<void> {
    const sources = await this.sources.health();
    if (sources.length === 0) {
      console.log('No sources yet: the fetcher loads them from the sources file when it starts.');
      return;
    }
    console.log(formatSourcesTable(sources));
  }
}

@SubCommand({
  name: 'enable',
  arguments: '<id>',
  description: 'Fetch a source again that was disabled because upstream answered 410 Gone',
})
export class SourcesEnableCommand extends CommandRunner {
  constructor(private readonly sources: SourceRepository) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    if (!(await this.sources.enableGone(id))) {
      const source = await this.sources.findById(id);
      throw new Error(
        source
          ? `Source "${id}" is not disabled by a 410 Gone${source.enabled ? '' : ': it is no longer in the sources file'}`
          : `Unknown source "${id}": it is not in the sources file`,
      );
    }
    console.log(`Source "${id}" is enabled again: running fetchers schedule it within a minute.`);
  }
}

@Command({
  name: 'sources',
  description: 'Source operations',
  subCommands: [SourcesStatusCommand, SourcesEnableCommand],
})
export class SourcesCommand extends CommandRunner {
  run(): Promise<void> {
    this.command.help();
  }
}

/** A plain-text table: one line per source, widths fitted to the content. */
export function formatSourcesTable(sources: SourceHealth[]): string {
  const rows = sources.map((source) => {
    const run = source.lastRun;
    return [
      source.id,
      source.kind,
      source.enabled ? source.health : 'disabled',
      source.cursorDate ?? '-',
      run ? `${run.status}${run.httpStatus ? ` ${run.httpStatus}` : ''}` : 'never run',
      run?.finishedAt ? run.finishedAt.toISOString().replace(/\.\d+Z$/, 'Z') : '-',
      run ? `${run.itemsNew}/${run.itemsSeen}` : '-',
      (source.healthReason ?? run?.error ?? '').split('\n')[0].slice(0, 80) || redactUrl(source.url),
    ];
  });
  const header = ['SOURCE', 'KIND', 'HEALTH', 'CURSOR', 'LAST RUN', 'FINISHED', 'NEW/SEEN', 'NOTE'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
