import { clientBucket } from './client-bucket';

describe('clientBucket', () => {
  it('should count the addresses of one IPv6 /64 together', () => {
    const a = clientBucket('2001:db8:1:2:aaaa:bbbb:cccc:1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientBucket('2001:db8:1:2::ffff')).toBe(a);
    expect(clientBucket('2001:0db8:0001:0002:0:0:0:9')).toBe(a);
  });

  it('should count different /64s apart', () => {
    expect(clientBucket('2001:db8:1:3::1')).not.toBe(clientBucket('2001:db8:1:2::1'));
  });

  it('should count an IPv4 address alone, mapped or not', () => {
    expect(clientBucket('198.51.100.7')).toBe('198.51.100.7');
    expect(clientBucket('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientBucket('198.51.100.8')).not.toBe(clientBucket('198.51.100.7'));
  });

  it('should keep anything unparseable as it is', () => {
    expect(clientBucket('unknown')).toBe('unknown');
  });
});
