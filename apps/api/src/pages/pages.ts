const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The few server-rendered pages subscribers land on from their emails. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Paperboy</title>
<style>body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:560px;margin:10vh auto;padding:0 16px;color:#222}
button{font-size:16px;padding:8px 20px;cursor:pointer}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** Posts back to the page's own URL (token included), wherever PUBLIC_URL mounts the api. */
export function unsubscribeForm(): string {
  return page(
    'Unsubscribe',
    `<p>Stop receiving this Paperboy digest?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`,
  );
}

export const UNSUBSCRIBED = page('You are unsubscribed', '<p>You will not receive this digest any more.</p>');
export function confirmedPage(feeds: { rss: string; atom: string; json: string }, manage: string): string {
  return page(
    'Subscription confirmed',
    `<p>Your first digest arrives at your next send hour. <a href="${escapeHtml(manage)}">Manage your preferences</a>.</p>
<p>Your personal feed lists every paper of your digests: <a href="${escapeHtml(feeds.rss)}">RSS</a>,
<a href="${escapeHtml(feeds.atom)}">Atom</a>, <a href="${escapeHtml(feeds.json)}">JSON Feed</a>.</p>`,
  );
}
export const CANCELLED = page('This subscription was cancelled', '<p>Subscribe again to receive the digest.</p>');
export const INVALID_LINK = page('This link is not valid', '<p>It may be mistyped or expired.</p>');
