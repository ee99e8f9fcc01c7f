import { compileEmailMjml } from './compile-email-template';
import { CONFIRMATION_EMAIL_HTML } from './confirmation-email.compiled';
import { DIGEST_EMAIL_HTML } from './digest-email.compiled';

describe('the compiled email templates', () => {
  it.each([
    ['digest-email', DIGEST_EMAIL_HTML],
    ['confirmation-email', CONFIRMATION_EMAIL_HTML],
  ] as const)('should be what MJML makes of %s.mjml.ts (regenerate them with compile-email-template)', async (name, html) => {
    expect(await compileEmailMjml(name)).toBe(html);
  });
});
