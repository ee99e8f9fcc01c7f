/** The plain-text part: the same content as the HTML, one block per paper, every link spelled out. */
export const DIGEST_EMAIL_TEXT = `{{heading}}
{{#if listed}}
{{listed}}
{{/if}}
View in your browser: {{viewUrl}}

{{#each papers}}
{{number}}. {{title}}
   {{authors}} · {{upvotes}} {{upvoteNoun}}
{{#if tags.length}}
   Tags: {{#each tags}}{{#unless @first}}, {{/unless}}{{this}}{{/each}}
{{/if}}
{{#if reasons}}
   Why: {{reasons}}
{{/if}}
   {{#if summary}}{{summary}}{{else}}{{abstract}}{{/if}}
{{#each links}}
   {{label}}: {{url}}
{{/each}}
{{#if voteUp}}
   Useful (👍): {{voteUp}}
   Not for me (👎): {{voteDown}}
{{/if}}

{{/each}}
{{#if more}}
And {{more.count}} more matching {{more.noun}}, left out by your cap.
{{more.label}}: {{more.url}}

{{/if}}
--
{{#each footerLinks}}
{{label}}: {{url}}
{{/each}}
`;
