import { authorLine, DigestPaperView, DigestView, digestHeading } from '@libs/domain';
import { esc, layout, safeUrl, Site } from '../web/web-pages';

/**
 * A sent digest on the web ("view in browser"): the same papers as its email (their reasons as the topics are
 * now), in the site's layout, abstracts on demand as on the other pages (a phone screen holds a few titles
 * rather than one abstract); below them, the papers the cap left out of the message, which its "And N more"
 * links here for.
 */
export function digestPage(site: Site, view: DigestView): string {
  const heading = digestHeading(view);
  const papers = view.papers.map((paper, index) => paperItem(paper, index + 1)).join('\n');
  const noun = view.omittedCount === 1 ? 'paper' : 'papers';
  let more = '';
  if (view.leftOut.length > 0) {
    // What the message counted as "And N more" and linked here for; not sent, so still to come in a later digest.
    const which =
      view.leftOut.length < view.omittedCount
        ? `The first ${esc(view.leftOut.length)} of the ${esc(view.omittedCount)} matching papers`
        : view.leftOut.length === 1
          ? 'The matching paper'
          : `The ${esc(view.leftOut.length)} matching papers`;
    const items = view.leftOut.map((paper, index) => paperItem(paper, view.papers.length + index + 1)).join('\n');
    more = `<h2>More papers from this digest</h2>
<p class="small muted">${which} left out of the message by your cap. They were not sent to you, so any still recent can come in your next digest.</p>
<ol class="papers">${items}</ol>`;
  } else if (view.omittedCount > 0) {
    // A digest built before the papers left out were recorded: only their number is known.
    more = `<p>And ${esc(view.omittedCount)} more matching ${noun}, left out by your cap.</p>`;
  }
  const links = [
    `<a href="${esc(view.feedUrl)}">Your feed (RSS)</a>`,
    view.manageUrl ? `<a href="${esc(view.manageUrl)}">Manage your preferences</a>` : null,
    `<a href="${esc(view.unsubscribeUrl)}">Unsubscribe</a>`,
  ].filter((link): link is string => link !== null);
  const body = `<h1>${esc(heading)}</h1>
<ol class="papers">${papers}</ol>
${more}
<p class="small">${links.join(' · ')}</p>`;
  return layout(site, { title: heading, noindex: true }, body);
}

/** One paper of the page, numbered as in the digest. */
function paperItem(paper: DigestPaperView, number: number): string {
  const url = safeUrl(paper.url);
  const title = url ? `<a href="${esc(url)}">${esc(paper.title)}</a>` : esc(paper.title);
  const code = safeUrl(paper.codeUrl);
  return `<li class="paper"><div class="votes" aria-label="${esc(paper.upvotes)} upvotes">${esc(paper.upvotes)}<span>upvotes</span></div>
<article class="paper-body"><h2><span class="rank">${number}.</span> ${title}</h2>
<p class="authors">${esc(authorLine(paper.authors))}</p>
${paper.summary ? `<p><em>${esc(paper.summary)}</em></p>` : ''}
${paper.abstract ? `<details><summary>Abstract</summary><p>${esc(paper.abstract)}</p></details>` : ''}
${paper.reasons.length > 0 ? `<p class="small muted">Why: ${esc(paper.reasons.join('; '))}</p>` : ''}
${code ? `<ul class="links"><li><a href="${esc(code)}">Code</a></li></ul>` : ''}</article></li>`;
}
