import { renderAddressChangeApproval } from './address-change-email';

describe('renderAddressChangeApproval', () => {
  it('should name the new address and carry the approval link, escaped in HTML', () => {
    const url = 'https://papers.example.org/subscriptions/confirm-email?token=a.b.c&x=<1>';
    const email = renderAddressChangeApproval(url, "o'neil&co@example.org");

    expect(email.subject).toBe('Paperboy: approve the new address of your digest');
    expect(email.text).toContain(`Approve the change: ${url}`);
    expect(email.text).toContain("o'neil&co@example.org");
    expect(email.html).toContain('href="https://papers.example.org/subscriptions/confirm-email?token&#x3D;a.b.c&amp;x&#x3D;&lt;1&gt;"');
    expect(email.html).toContain('o&#x27;neil&amp;co@example.org');
    expect(email.html).not.toContain('<1>');
  });
});
