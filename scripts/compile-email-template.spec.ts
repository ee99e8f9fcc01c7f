import { DIGEST_EMAIL_HTML } from '../libs/domain/src/rendering/email/digest-email.compiled';
import { compileDigestEmailMjml } from './compile-email-template';

describe('the compiled digest email template', () => {
  it('should be what MJML makes of digest-email.mjml.ts (regenerate it with npm run email:compile)', async () => {
    expect(await compileDigestEmailMjml()).toBe(DIGEST_EMAIL_HTML);
  });
});
