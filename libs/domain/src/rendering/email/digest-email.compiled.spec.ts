import { compileDigestEmailMjml } from './compile-email-template';
import { DIGEST_EMAIL_HTML } from './digest-email.compiled';

describe('the compiled digest email template', () => {
  it('should be what MJML makes of digest-email.mjml.ts (regenerate it with compile-email-template)', async () => {
    expect(await compileDigestEmailMjml()).toBe(DIGEST_EMAIL_HTML);
  });
});
