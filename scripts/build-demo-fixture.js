#!/usr/bin/env node
// Rebuilds test/fixtures/demo/daily-papers.json from ../shared/seed/daily-papers-page.txt: the seed
// page's papers in the Hugging Face Daily Papers API format, with made-up arXiv ids, authors and upvotes
// (deterministic, so the committed fixture only changes when the seed does).
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { createHash } = require('node:crypto');

const seed = readFileSync(join(__dirname, '../../shared/seed/daily-papers-page.txt'), 'utf8');
const blocks = seed.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
// The page starts with its chrome ("Daily Papers", "Sep 10", …); papers are title + abstract pairs after it.
const start = blocks.findIndex((b) => /^[A-Z][a-z]{2} \d{1,2}$/.test(b)) + 1;
const body = blocks.slice(start);
const FIRST = ['Ana', 'Bo', 'Chen', 'Dara', 'Elif', 'Femi', 'Gita', 'Hugo', 'Ines', 'Jun', 'Kofi', 'Lena', 'Mira', 'Nils', 'Omar', 'Priya'];
const LAST = ['Alvarez', 'Berg', 'Costa', 'Dubois', 'Eze', 'Fischer', 'Gupta', 'Hayashi', 'Ivanova', 'Jensen', 'Kim', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Petrov'];

const hash = (text) => createHash('sha256').update(text).digest();
const papers = [];
for (let i = 0; i + 1 < body.length; i += 2) {
  const title = body[i];
  const abstract = body[i + 1];
  if (title.length > 300 || abstract.length < 80) {
    throw new Error(`Unexpected seed layout near "${title.slice(0, 60)}"`);
  }
  const h = hash(title);
  const authors = Array.from({ length: 2 + (h[0] % 5) }, (_, k) => `${FIRST[h[k + 1] % 16]} ${LAST[h[k + 7] % 16]}`);
  papers.push({ title, abstract, authors, upvotes: h[20] % 90, minute: h[21] % 60, hour: h[22] % 20 });
}
papers.sort((a, b) => b.upvotes - a.upvotes);
const day = '2024-09-10';
const entries = papers.map((paper, index) => {
  const id = `2409.${String(90001 + index).padStart(5, '0')}`;
  const at = `${day}T${String(paper.hour).padStart(2, '0')}:${String(paper.minute).padStart(2, '0')}:00.000Z`;
  return {
    paper: {
      id,
      authors: paper.authors.map((name, k) => ({ _id: `${id}-a${k}`, name, hidden: false })),
      publishedAt: `2024-09-0${1 + (index % 8)}T17:00:00.000Z`,
      submittedOnDailyAt: at,
      title: paper.title,
      summary: paper.abstract,
      upvotes: paper.upvotes,
      discussionId: `${id}-discussion`,
    },
    publishedAt: at,
    title: paper.title,
    thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${id}.png`,
    numComments: index % 4,
    submittedBy: { fullname: 'Demo Curator', name: 'demo', type: 'user', isPro: false, avatarUrl: '' },
  };
});
writeFileSync(join(__dirname, '../test/fixtures/demo/daily-papers.json'), `${JSON.stringify(entries, null, 1)}\n`);
console.log(`Wrote ${entries.length} papers for ${day}`);
