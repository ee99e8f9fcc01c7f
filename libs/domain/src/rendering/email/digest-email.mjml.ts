import { brandedEmailMjml } from './layout.mjml';

/**
 * The digest email's layout, in MJML (responsive tables, Outlook conditionals and inlined styles are
 * MJML's job), with Handlebars fields filled per digest from `DigestEmailModel`. Edit it, then run
 * `npm run email:compile` (scripts/compile-email-template.ts) to regenerate
 * `digest-email.compiled.ts`; a unit test fails while the two disagree.
 *
 * The papers sit in one mj-text as plain blocks with inline styles: one MJML section per paper would
 * add about 1.5 kB of table scaffolding each, for no difference in any client.
 */
export const DIGEST_EMAIL_MJML = brandedEmailMjml({
  above: `<mj-text font-size="12px" color="#6b7280" align="center"><a href="{{viewUrl}}" style="color:#6b7280">View this digest in your browser</a></mj-text>`,
  body: `        <mj-text font-size="13px" color="#6b7280" padding="0 24px 8px">{{#if listed}}{{listed}}{{/if}}</mj-text>
        <mj-text>
{{#each papers}}
<div style="padding:16px 0;border-top:1px solid #e5e7eb">
<div style="font-size:16px;font-weight:600;line-height:1.35">{{#if url}}<a href="{{url}}" style="color:#1a0dab;text-decoration:none">{{number}}. {{title}}</a>{{else}}{{number}}. {{title}}{{/if}}</div>
<div style="font-size:13px;color:#4b5563;margin-top:4px">{{authors}} &middot; &#9650; {{upvotes}} {{upvoteNoun}}</div>
{{#if tags.length}}<div style="margin-top:6px">{{#each tags}}<span style="display:inline-block;font-size:11px;line-height:18px;color:#3730a3;background-color:#eef2ff;border-radius:9px;padding:0 8px;margin:0 4px 4px 0">{{this}}</span>{{/each}}</div>{{/if}}
{{#if reasons}}<div style="font-size:12px;color:#6b7280">Why: {{reasons}}</div>{{/if}}
<div style="font-size:14px;margin-top:8px">{{#if summary}}<em>{{summary}}</em>{{else}}{{abstract}}{{/if}}</div>
<div style="font-size:13px;margin-top:8px">{{#each links}}{{#unless @first}} &middot; {{/unless}}<a href="{{url}}" style="color:#1a0dab">{{label}}</a>{{/each}}</div>
{{#if voteUp}}<div style="font-size:13px;margin-top:8px;color:#4b5563">For you? <a href="{{voteUp}}" style="color:#1a0dab">&#128077; Useful</a> &middot; <a href="{{voteDown}}" style="color:#1a0dab">&#128078; Not for me</a></div>{{/if}}
</div>
{{/each}}
{{#if more}}<div style="padding:16px 0;border-top:1px solid #e5e7eb;font-size:14px"><a href="{{more.url}}" style="color:#1a0dab">And {{more.count}} more matching {{more.noun}}</a>, left out by your cap.</div>{{/if}}
        </mj-text>
`,
  footer: `You get this digest because you subscribed to Paperboy.<br />{{#each footerLinks}}{{#unless @first}} &middot; {{/unless}}<a href="{{url}}" style="color:#6b7280">{{label}}</a>{{/each}}`,
});
