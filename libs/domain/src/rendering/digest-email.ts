import { authorLine, DigestView, digestHeading, shorten } from './digest-view';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** The digest email, HTML and plain text with the same content. */
export function renderDigestEmail(view: DigestView): RenderedEmail {
  const heading = digestHeading(view);
  const subject = `Paperboy: ${heading}`;
  const noun = view.omittedCount === 1 ? 'paper' : 'papers';
  const more = view.omittedCount > 0 ? `And ${view.omittedCount} more matching ${noun}, left out by your cap.` : null;

  const htmlPapers = view.papers
    .map(
      (paper, index) => `
      <tr><td style="padding:16px 0;border-bottom:1px solid #e5e5e5">
        <div style="font-size:16px;font-weight:600"><a href="${escapeHtml(paper.url)}" style="color:#1a0dab;text-decoration:none">${index + 1}. ${escapeHtml(paper.title)}</a></div>
        <div style="color:#555;font-size:13px;margin:4px 0">${escapeHtml(authorLine(paper.authors))} · ▲ ${paper.upvotes}</div>
        ${paper.summary ? `<div style="font-size:14px;margin:6px 0"><em>${escapeHtml(paper.summary)}</em></div>` : ''}
        <div style="font-size:14px;color:#222">${escapeHtml(shorten(paper.abstract, 600))}</div>
        ${paper.reasons.length > 0 ? `<div style="font-size:12px;color:#777;margin-top:6px">Why: ${escapeHtml(paper.reasons.join('; '))}</div>` : ''}
        ${paper.codeUrl ? `<div style="font-size:12px;margin-top:4px"><a href="${escapeHtml(paper.codeUrl)}">Code</a></div>` : ''}
      </td></tr>`,
    )
    .join('');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:680px;margin:0 auto;padding:16px">
  <p style="font-size:12px;color:#777;margin:0"><a href="${escapeHtml(view.viewUrl)}" style="color:#777">View in your browser</a></p>
  <h1 style="font-size:20px">${escapeHtml(heading)}</h1>
  <table role="presentation" width="100%" cellspacing="0" cellpadding="0">${htmlPapers}</table>
  ${more ? `<p style="color:#555"><a href="${escapeHtml(view.viewUrl)}">And ${view.omittedCount} more matching ${noun}</a>, left out by your cap.</p>` : ''}
  <p style="font-size:12px;color:#777;margin-top:24px">
    Your feed: <a href="${escapeHtml(view.feedUrl)}">${escapeHtml(view.feedUrl)}</a><br>
    ${view.manageUrl ? `<a href="${escapeHtml(view.manageUrl)}">Manage your preferences</a> · ` : ''}
    <a href="${escapeHtml(view.unsubscribeUrl)}">Unsubscribe</a> with one click.
  </p>
</body></html>`;

  const textPapers = view.papers
    .map((paper, index) =>
      [
        `${index + 1}. ${paper.title}`,
        `   ${authorLine(paper.authors)} · ${paper.upvotes} upvotes`,
        `   ${paper.url}`,
        paper.summary ? `   ${paper.summary}` : null,
        `   ${shorten(paper.abstract, 600)}`,
        paper.reasons.length > 0 ? `   Why: ${paper.reasons.join('; ')}` : null,
        paper.codeUrl ? `   Code: ${paper.codeUrl}` : null,
      ]
        .filter((line): line is string => line !== null)
        .join('\n'),
    )
    .join('\n\n');
  const text = [
    heading,
    `View in your browser: ${view.viewUrl}`,
    '',
    textPapers,
    '',
    more,
    '',
    `Your feed: ${view.feedUrl}`,
    view.manageUrl ? `Manage your preferences: ${view.manageUrl}` : null,
    `Unsubscribe: ${view.unsubscribeUrl}`,
  ]
    .filter((line): line is string => line !== null)
    .join('\n');
  return { subject, html, text };
}

export function renderConfirmationEmail(confirmUrl: string, topics: string[]): RenderedEmail {
  const what = topics.length > 0 ? `papers on ${topics.join(', ')}` : 'the daily research papers';
  const subject = 'Paperboy: confirm your subscription';
  const text = [
    `Someone (hopefully you) asked to receive ${what} from Paperboy.`,
    '',
    `Confirm your subscription: ${confirmUrl}`,
    '',
    'If it was not you, ignore this email: nothing will be sent.',
  ].join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">
  <p>Someone (hopefully you) asked to receive ${escapeHtml(what)} from Paperboy.</p>
  <p><a href="${escapeHtml(confirmUrl)}">Confirm your subscription</a></p>
  <p style="color:#777">If it was not you, ignore this email: nothing will be sent.</p></body></html>`;
  return { subject, html, text };
}
