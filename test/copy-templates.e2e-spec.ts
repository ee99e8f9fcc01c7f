import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repositoryRoot } from './support/stand-ins';

const ROOT = repositoryRoot(__dirname);
const TEMPLATES = join(ROOT, 'apps/api/src/web/templates');

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );

/** The build's last step: the api reads its page templates next to the compiled code, so they must be there. */
describe('scripts/copy-templates.js', () => {
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'paperboy-templates-'));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('should copy every page template and partial to the same path under the output folder, and nothing else', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/copy-templates.js'), out]);

    const sources = filesUnder(TEMPLATES).map((file) => relative(ROOT, file));
    expect(sources.length).toBeGreaterThan(10);
    expect(filesUnder(out).map((file) => relative(out, file)).sort()).toEqual(sources.sort());
    for (const file of sources) {
      expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(ROOT, file), 'utf8'));
    }
  });
});
