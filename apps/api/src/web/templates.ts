import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The web pages' one rendering path: Handlebars templates (`templates/pages/*.hbs`, a layout and partials in
 * `templates/partials/`) filled from a view model. Every `{{value}}` is HTML-escaped by the engine; templates
 * use no triple-stash. Links are built in the view models from safe parts (`safeUrl`, site paths).
 *
 * The files sit next to this module: the build copies them to dist (scripts/copy-templates.js), and they are
 * read and compiled once, when the module loads, so a missing template stops the api at boot, not on a request.
 */
const TEMPLATE_DIR = join(__dirname, 'templates');

/** Where the site is mounted (the path of PUBLIC_URL, '' at the root), so links work behind a path prefix. */
export interface Site {
  base: string;
}

export type Nav = 'papers' | 'subscribe' | null;

/** What the layout needs besides the page's own model. */
export interface LayoutOptions {
  title: string;
  nav?: Nav;
  /** Pages behind a signed link are kept out of search engines. */
  noindex?: boolean;
  /** Feeds of this page's papers, offered to browsers and feed readers (after the site-wide one). */
  feeds?: { title: string; path: string }[];
  /** Loads the site's small script (same origin, deferred); every page works without it. */
  script?: boolean;
}

export const PAGE_NAMES = [
  'home',
  'results',
  'topic',
  'paper',
  'message',
  'subscribe',
  'check-inbox',
  'subscribed',
  'profile',
  'manage',
  'digest',
  'unsubscribe',
  'vote',
] as const;
export type PageName = (typeof PAGE_NAMES)[number];

const engine = Handlebars.create();
// Strict: a field missing from a view model is an error in the tests, not an empty string on a page.
const COMPILE: CompileOptions = { strict: true, preventIndent: true };

function readTemplates(folder: string): Map<string, string> {
  const dir = join(TEMPLATE_DIR, folder);
  if (!existsSync(dir)) {
    throw new Error(`The web page templates are missing: ${dir} (run "npm run build", which copies them)`);
  }
  return new Map(
    readdirSync(dir)
      .filter((file) => file.endsWith('.hbs'))
      // A file's last line break is not part of the template: a partial fills attributes within a tag too.
      .map((file) => [basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8').replace(/\n$/, '')]),
  );
}

for (const [name, source] of readTemplates('partials')) {
  engine.registerPartial(name, engine.compile(source, COMPILE));
}

const pages = readTemplates('pages');
const compiled = new Map(
  PAGE_NAMES.map((name) => {
    const source = pages.get(name);
    if (source === undefined) {
      throw new Error(`No template for the ${name} page in ${TEMPLATE_DIR}/pages`);
    }
    return [name, engine.compile(source, COMPILE)];
  }),
);

/** The layout's model: what `partials/layout.hbs` reads under `layout` and `site`. */
function layoutModel(site: Site, options: LayoutOptions) {
  return {
    title: options.title,
    noindex: options.noindex === true,
    script: options.script === true,
    navPapers: options.nav === 'papers',
    navSubscribe: options.nav === 'subscribe',
    feeds: (options.feeds ?? []).map((feed) => ({ title: feed.title, href: `${site.base}${feed.path}` })),
  };
}

/** A whole page: the page template inside the site's layout, escaped by the engine. */
export function renderPage(name: PageName, site: Site, layout: LayoutOptions, model: object): string {
  const template = compiled.get(name) as HandlebarsTemplateDelegate;
  return template({ ...model, site, layout: layoutModel(site, layout) });
}
