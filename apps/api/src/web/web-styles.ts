/**
 * The one stylesheet of the web pages, served as a same-origin file (/assets/paperboy.css) so the pages
 * need no inline <style> under any Content-Security-Policy. Mobile first; one breakpoint.
 */
export const WEB_CSS = `:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--accent:#0b57d0;--bad:#b42318;--ok:#0a6b2e}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:8px}
.skip:focus{left:8px}
.site-header{border-bottom:1px solid var(--line);background:var(--soft)}
.site-header .bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px;max-width:860px;margin:0 auto;padding:10px 16px}
.brand{font-weight:700;font-size:1.15rem;color:var(--fg);text-decoration:none}
.site-header nav ul{display:flex;gap:16px;list-style:none;margin:0;padding:0}
.site-header nav a{text-decoration:none;font-weight:600}
.site-header nav a[aria-current=page]{text-decoration:underline}
main{max-width:860px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;line-height:1.25;margin:8px 0 12px}
h2{font-size:1.1rem;line-height:1.3;margin:0 0 4px}
.muted{color:var(--muted)}
.small{font-size:.875rem}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;margin:0 0 12px}
.toolbar .grow{flex:1 1 220px}
.daynav{display:flex;justify-content:space-between;gap:8px;margin:8px 0 16px}
.papers{list-style:none;margin:0;padding:0}
.paper{display:flex;gap:12px;padding:14px 0;border-top:1px solid var(--line)}
.votes{flex:0 0 48px;text-align:center;border:1px solid var(--line);border-radius:8px;padding:4px 0;height:fit-content;font-weight:700}
.votes span{display:block;font-size:.75rem;font-weight:400;color:var(--muted)}
.paper-body{min-width:0;flex:1}
.paper-body p.small{margin:4px 0}
.paper h2 a{color:var(--fg);text-decoration:none}
.paper h2 a:hover{text-decoration:underline}
.authors{color:var(--muted);font-size:.9rem;margin:0 0 6px;overflow-wrap:anywhere}
.chips{display:flex;flex-wrap:wrap;gap:6px;list-style:none;margin:6px 0;padding:0}
.chip{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:1px 10px;font-size:.8rem;text-decoration:none;background:var(--soft)}
details summary{cursor:pointer;color:var(--accent)}
details p{margin:6px 0}
.links{display:flex;flex-wrap:wrap;gap:12px;margin:6px 0 0;padding:0;list-style:none;font-size:.9rem}
.vote-form{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:10px 0 0}
.vote-form button{padding:6px 14px;min-height:40px;font-size:.9rem}
.vote-form button[aria-pressed=true]{background:var(--accent);color:#fff}
.vote-form[aria-busy=true] button{opacity:.6}
.vote-paper{font-size:1.1rem;font-weight:600;overflow-wrap:anywhere}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0;overflow-wrap:anywhere}
.why li{margin:4px 0}
form.stack{display:grid;gap:16px;max-width:560px}
label,legend{font-weight:600;display:block;margin-bottom:4px}
fieldset{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:0}
.checks{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:4px 12px}
.checks label{font-weight:400;display:flex;gap:6px;align-items:center;margin:0}
.checks input{flex:none}
input[type=text],input[type=email],input[type=url],input[type=number],input[type=search],select,textarea{width:100%;font:inherit;padding:8px;border:1px solid #8c959f;border-radius:6px;background:var(--bg);color:var(--fg)}
input[type=checkbox]{width:20px;height:20px}
textarea{min-height:5em}
.hint{color:var(--muted);font-size:.875rem;margin:2px 0 4px}
.error{color:var(--bad);font-weight:600;font-size:.9rem;margin:2px 0 4px}
[aria-invalid=true]{border-color:var(--bad)!important}
.summary{border:2px solid var(--bad);border-radius:8px;padding:8px 16px;margin:0 0 16px}
.notice{border:2px solid var(--ok);border-radius:8px;padding:8px 16px;margin:0 0 16px}
button,.button{font:inherit;font-weight:600;padding:8px 20px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:var(--bg);color:var(--accent)}
.actions{display:flex;flex-wrap:wrap;gap:12px}
button.danger{background:var(--bad);border-color:var(--bad)}
button.small{padding:4px 12px;font-size:.875rem}
.removable{list-style:none;margin:0;padding:0}
.removable li{display:flex;justify-content:space-between;align-items:center;gap:12px;padding:6px 0;border-top:1px solid var(--line)}
.removable li>span{min-width:0;overflow-wrap:anywhere}
.removable form{flex:none;margin:0}
.terms{display:grid;gap:16px}
.terms h3{font-size:1rem;margin:8px 0 4px}
.confirm{border:2px solid var(--bad);border-radius:8px;padding:8px 16px;margin:0 0 16px}
.preview{margin:24px 0 0;padding:16px 0 0;border-top:2px solid var(--line)}
.preview:focus{outline:none}
.pager{display:flex;justify-content:space-between;margin:16px 0}
main>section>h2,main>article>h2,.section-heading{margin-top:28px}
.day-heading{font-size:1.2rem;margin:28px 0 8px}
/* The weekday only matters to weekly digests (browsers without :has() keep showing it, with its hint). */
form:has(#frequency option[value=weekly]:not(:checked)) .weekday-field{display:none}
.site-footer{border-top:1px solid var(--line);color:var(--muted);font-size:.875rem}
.site-footer div{max-width:860px;margin:0 auto;padding:12px 16px}
@media (min-width:640px){h1{font-size:1.75rem}.paper{gap:16px}.terms{grid-template-columns:1fr 1fr}}
`;

/** The site's icon: a folded paper, in the site's accent colour. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b57d0"/><path d="M9 7h10l5 5v13H9z" fill="#fff"/><path d="M19 7v5h5" fill="#d1d9e0"/><path d="M12 16h9M12 19h9M12 22h6" stroke="#0b57d0" stroke-width="1.5"/></svg>
`;
