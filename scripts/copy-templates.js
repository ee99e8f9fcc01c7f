#!/usr/bin/env node
// Copies the web page templates (apps/**/templates/**/*.hbs) next to the compiled code in dist/ (or the
// folder given as the first argument), where the api reads them at boot. Part of `npm run build`, after tsc.
const { cpSync, lstatSync, readdirSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const out = process.argv[2] ?? join(root, 'dist');

function copyTemplates(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name === 'templates') {
      cpSync(path, join(out, relative(root, path)), {
        recursive: true,
        filter: (source) => lstatSync(source).isDirectory() || source.endsWith('.hbs'),
      });
    } else if (entry.isDirectory() && entry.name !== 'node_modules') {
      copyTemplates(path);
    }
  }
}

copyTemplates(join(root, 'apps'));
