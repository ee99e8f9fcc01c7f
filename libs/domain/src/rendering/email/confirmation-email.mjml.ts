import { brandedEmailMjml } from './layout.mjml';

/**
 * The confirmation email (double opt-in, or a new address), in the digest's brand: what was asked for and
 * when it comes, then one button. Fields from `ConfirmationEmailModel`; compiled with the digest's template
 * (see compile-email-template.ts).
 */
export const CONFIRMATION_EMAIL_MJML = brandedEmailMjml({
  body: `        <mj-text padding="0 24px 12px">{{intro}}</mj-text>
        <mj-table padding="0 24px 8px" font-size="14px" line-height="1.5" color="#1f2937" cellpadding="0">
{{#each details}}
<tr><th align="left" valign="top" style="padding:4px 16px 4px 0;font-weight:600;white-space:nowrap;color:#4b5563">{{label}}</th><td style="padding:4px 0">{{value}}</td></tr>
{{/each}}
        </mj-table>
        <mj-button href="{{button.url}}" align="left" background-color="#1a0dab" color="#ffffff" font-size="16px" font-weight="600" border-radius="6px" inner-padding="12px 24px" padding="16px 24px 8px">{{button.label}}</mj-button>
        <mj-text font-size="12px" color="#6b7280" padding="8px 24px 0">Or open this link: <a href="{{button.url}}" style="color:#6b7280;word-break:break-all">{{button.url}}</a></mj-text>
`,
  footer: `{{ignore}}`,
});
