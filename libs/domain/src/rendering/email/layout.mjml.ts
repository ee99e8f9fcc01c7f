/**
 * The brand every Paperboy email shares, in MJML: a grey page, a line above the card, a white card that
 * opens with "Paperboy" and the `{{heading}}`, and a small footer. Each email brings its own pieces (MJML,
 * with Handlebars fields) and its model's `subject`, `preheader` and `heading`.
 */
export function brandedEmailMjml(parts: {
  /** An mj-text (or nothing) above the card. */
  above?: string;
  /** The card's content after the heading: mj-* elements, indented eight spaces. */
  body: string;
  /** The footer's text (inline HTML). */
  footer: string;
}): string {
  const above =
    parts.above === undefined
      ? `    <mj-section padding="24px 0 0" />\n`
      : `    <mj-section padding="12px 0 8px">
      <mj-column>
        ${parts.above}
      </mj-column>
    </mj-section>
`;
  return `<mjml lang="en">
  <mj-head>
    <mj-title>{{subject}}</mj-title>
    <mj-preview>{{preheader}}</mj-preview>
    <mj-attributes>
      <mj-all font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" />
      <mj-text font-size="14px" line-height="1.5" color="#1f2937" padding="0 24px" />
      <mj-section padding="0" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f3f4f6" width="640px">
${above}    <mj-section background-color="#ffffff" padding="20px 0">
      <mj-column>
        <mj-text font-size="13px" color="#6b7280" padding="0 24px 4px">Paperboy</mj-text>
        <mj-text font-size="21px" font-weight="700" line-height="1.3" padding="0 24px 8px">{{heading}}</mj-text>
${parts.body}      </mj-column>
    </mj-section>
    <mj-section padding="16px 0 24px">
      <mj-column>
        <mj-text font-size="12px" color="#6b7280" align="center">${parts.footer}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;
}
