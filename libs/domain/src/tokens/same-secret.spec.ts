import { sameSecret } from './same-secret';

describe('sameSecret', () => {
  it('should take only the very secret, whatever the length of what is given', () => {
    expect(sameSecret('postmark:correct-horse', 'postmark:correct-horse')).toBe(true);
    expect(sameSecret('postmark:correct-horsf', 'postmark:correct-horse')).toBe(false);
    expect(sameSecret('postmark:correct', 'postmark:correct-horse')).toBe(false);
    expect(sameSecret('', 'postmark:correct-horse')).toBe(false);
    expect(sameSecret('postmark:correct-horse-and-more', 'postmark:correct-horse')).toBe(false);
    expect(sameSecret('é', 'e\u0301')).toBe(false);
  });
});
