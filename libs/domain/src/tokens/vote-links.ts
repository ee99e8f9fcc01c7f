import { signToken, tokenSubject, verifyToken } from './signed-token';
import type { LinkHolder } from './subscriber-links';

/** What a vote link does: 👍, 👎, or take the vote back. */
export type VoteChoice = 'up' | 'down' | 'none';

/** Where the paper was shown: a digest's ordinary pick, or one of its explore slots (kept apart for evaluation). */
export type VoteOrigin = 'digest' | 'explore';

/** What a vote token names. */
export interface VoteClaim {
  subscriptionId: string;
  paperId: string;
  vote: VoteChoice;
  source: VoteOrigin;
}

/** The 👍 and 👎 links of one paper of a digest. */
export interface PaperVoteLinks {
  up: string;
  down: string;
}

const CHOICES: Record<string, VoteChoice> = { u: 'up', d: 'down', n: 'none' };
const ORIGINS: Record<string, VoteOrigin> = { d: 'digest', e: 'explore' };
const SUBJECT = /^([\w-]{22})([\w-]{22})([udn])([de])$/;

/**
 * A signed vote token: its subject names the subscription, the paper, the vote and where the paper was shown, in
 * 46 characters (each UUID's 16 bytes in base64url, then one letter for the vote and one for the source): an email
 * carries two links a paper, so they are kept short. Signed with the subscription's key version, so "revoke all
 * earlier links" revokes vote links with the manage and feed links.
 */
export function signVoteToken(
  secret: string,
  holder: LinkHolder,
  claim: Omit<VoteClaim, 'subscriptionId'>,
  now: Date,
): string {
  return signToken(secret, 'vote', voteSubject({ subscriptionId: holder.id, ...claim }), now, holder.linkVersion);
}

/** What a token claims, unverified: whose key version to read before `verifyVoteToken`. Null when malformed. */
export function voteTokenClaim(token: string): VoteClaim | null {
  const parts = SUBJECT.exec(tokenSubject(token) ?? '');
  if (!parts) {
    return null;
  }
  const [, subscription, paper, vote, source] = parts;
  return { subscriptionId: uuidOf(subscription), paperId: uuidOf(paper), vote: CHOICES[vote], source: ORIGINS[source] };
}

/** The claim when the token is genuine and signed under this key version (not revoked); else null. */
export function verifyVoteToken(secret: string, token: string, now: Date, linkVersion: number): VoteClaim | null {
  const claim = voteTokenClaim(token);
  if (!claim) {
    return null;
  }
  return verifyToken(secret, 'vote', token, now, Number.POSITIVE_INFINITY, linkVersion) === voteSubject(claim)
    ? claim
    : null;
}

/**
 * The page a vote link opens: GET shows one button, POST records (a link alone never votes). The token is in the
 * path: a link without "=" is one quoted-printable keeps as it is, and an email carries two a paper.
 */
export function voteUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/vote/${encodeURIComponent(token)}`;
}

/** The 👍 / 👎 links of a paper a subscriber was shown. */
export function paperVoteLinks(
  publicUrl: string,
  secret: string,
  holder: LinkHolder,
  paperId: string,
  source: VoteOrigin,
  now: Date,
): PaperVoteLinks {
  const link = (vote: VoteChoice): string =>
    voteUrl(publicUrl, signVoteToken(secret, holder, { paperId, vote, source }, now));
  return { up: link('up'), down: link('down') };
}

function voteSubject({ subscriptionId, paperId, vote, source }: VoteClaim): string {
  return `${compactUuid(subscriptionId)}${compactUuid(paperId)}${vote[0]}${source[0]}`;
}

// A fan-out signs two tokens a paper of each email: the same few hundred papers and, within an email, the same
// subscription. Cleared when full rather than kept in order: a bounded memo, nothing to evict.
const compacted = new Map<string, string>();

function compactUuid(uuid: string): string {
  let compact = compacted.get(uuid);
  if (compact === undefined) {
    compact = Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
    if (compacted.size >= 10_000) {
      compacted.clear();
    }
    compacted.set(uuid, compact);
  }
  return compact;
}

function uuidOf(compact: string): string {
  const hex = Buffer.from(compact, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
