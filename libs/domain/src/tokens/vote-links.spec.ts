import { signToken } from './signed-token';
import { paperVoteLinks, signVoteToken, verifyVoteToken, voteTokenClaim } from './vote-links';

const secret = 'a-test-secret-of-some-length';
const now = new Date('2026-12-07T10:00:00Z');
const subscription = { id: '5b0c9a52-7f7e-4c8e-9d55-0d2f6f1c2a10', linkVersion: 0 };
const paperId = '0f6a9c1e-2b3d-4e5f-8a9b-1c2d3e4f5a6b';

describe('vote tokens', () => {
  it('should name the subscription, the paper, the vote and the source', () => {
    const token = signVoteToken(secret, subscription, { paperId, vote: 'down', source: 'explore' }, now);
    expect(verifyVoteToken(secret, token, new Date('2036-01-01'), 0)).toEqual({
      subscriptionId: subscription.id,
      paperId,
      vote: 'down',
      source: 'explore',
    });
  });

  it('should refuse a token whose vote, paper or source was changed, or of another purpose', () => {
    const token = signVoteToken(secret, subscription, { paperId, vote: 'up', source: 'digest' }, now);
    const [subject, rest] = [token.slice(0, 46), token.slice(46)];
    // The subject: subscription and paper (22 characters each), then the vote's and the source's letters.
    expect(subject.slice(44)).toBe('ud');
    for (const tampered of [
      `${subject.slice(0, 44)}dd${rest}`,
      `${subject.slice(0, 44)}ue${rest}`,
      `${subject.slice(22, 44)}${subject.slice(0, 22)}ud${rest}`,
      signToken(secret, 'manage', subject, now),
      'garbage',
      `${subject.slice(0, 44)}xd${rest}`,
    ]) {
      expect(verifyVoteToken(secret, tampered, now, 0)).toBeNull();
    }
  });

  it('should be revoked when the subscription raises its key version', () => {
    const token = signVoteToken(secret, subscription, { paperId, vote: 'up', source: 'digest' }, now);
    expect(voteTokenClaim(token)?.subscriptionId).toBe(subscription.id);
    expect(verifyVoteToken(secret, token, now, 1)).toBeNull();
    const newer = signVoteToken(
      secret,
      { ...subscription, linkVersion: 1 },
      { paperId, vote: 'up', source: 'digest' },
      now,
    );
    expect(verifyVoteToken(secret, newer, now, 1)?.vote).toBe('up');
  });

  it('should build the up and down links on the public URL', () => {
    const links = paperVoteLinks('https://paperboy.example/app/', secret, subscription, paperId, 'digest', now);
    for (const [vote, url] of Object.entries(links)) {
      const parsed = new URL(url);
      const [path, token] = [
        parsed.pathname.slice(0, parsed.pathname.lastIndexOf('/')),
        parsed.pathname.split('/').pop(),
      ];
      expect(parsed.origin + path).toBe('https://paperboy.example/app/vote');
      expect(url).not.toContain('=');
      expect(url.length).toBeLessThan(140);
      expect(verifyVoteToken(secret, decodeURIComponent(token ?? ''), now, 0)?.vote).toBe(vote);
    }
  });
});
