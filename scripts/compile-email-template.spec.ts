import { CONFIRMATION_EMAIL_HTML } from '../libs/domain/src/rendering/email/confirmation-email.compiled';
import { DIGEST_EMAIL_HTML } from '../libs/domain/src/rendering/email/digest-email.compiled';
import { compileEmailMjml } from './compile-email-template';

describe('the compiled email templates', () => {
  it.each([
    ['digest-email', DIGEST_EMAIL_HTML],
    ['confirmation-email', CONFIRMATION_EMAIL_HTML],
  ] as const)('should be what MJML makes of %s.mjml.ts (regenerate them with npm run email:compile)', async (name, html) => {
    expect(await compileEmailMjml(name)).toBe(html);
  });
});
