/** The plain-text part: the same content as the HTML, the link spelled out. */
export const CONFIRMATION_EMAIL_TEXT = `{{heading}}

{{intro}}

{{#each details}}
{{label}}: {{value}}
{{/each}}

{{button.label}}: {{button.url}}

{{ignore}}
`;
