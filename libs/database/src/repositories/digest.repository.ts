import { Injectable } from '@nestjs/common';
import { Settings } from '@libs/config';
import { CandidatePaper, LEFT_OUT_LISTED, rankCandidates, toWebSearchQuery } from '@libs/domain';
import { InjectRepository } from '@nestjs/typeorm';
import { type QueryResultRow } from 'pg';
import { In, LessThan, Not, Repository } from 'typeorm';
import {
  DeliveryChannel,
  DeliveryStatus,
  DigestEntity,
  DigestPaperEntity,
  DigestStatus,
  SubscriptionEntity,
} from '../entities';
import { entityColumns, preparedQuery } from './pooled-client';

export interface DigestClaim {
  subscriptionId: string;
  periodKey: string;
  dueAt: Date;
  plannedFor: Date;
  /** Recorded as done without a build: its papers go in the digest of the period claimed with it. */
  merged?: boolean;
}

export interface DigestSelection {
  /** Papers listed after this instant are candidates (the lookback window). */
  listedAfter: Date;
  listedUntil: Date;
}

/** What a for-you digest says of one of its papers: an explore slot or not, and why in plain words. */
export interface PaperNote {
  explore: boolean;
  why: string | null;
}

export interface BuiltDigest {
  status: DigestStatus;
  deliveries: { id: string; channel: DeliveryChannel; status: DeliveryStatus }[];
  /** The digest's papers, in digest order. */
  paperIds: string[];
  /** Matching papers left out by the cap. */
  omittedCount: number;
}

@Injectable()
export class DigestRepository {
  private readonly namedStatements: boolean;
  /** The subscription's columns by name (see entityColumns: a build must not break when a release adds one). */
  private readonly subscriptionColumns: string;

  constructor(
    @InjectRepository(DigestEntity) private readonly digests: Repository<DigestEntity>,
    settings: Settings,
  ) {
    this.namedStatements = settings.DATABASE_NAMED_STATEMENTS;
    this.subscriptionColumns = entityColumns(digests.manager.connection, SubscriptionEntity, 's');
  }

  /** The fan-out's per-digest statements run as named prepared statements (see preparedQuery). */
  private prepared<T extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return preparedQuery<T>(this.digests.manager.connection, this.namedStatements, { name, text, values });
  }

  /**
   * Claims the digests of due periods; the (subscription, period) key makes a second claim a no-op,
   * whichever replica or re-run tick tries. Returns the ids of the digests this call created to be built
   * (a merged period is created done).
   */
  async claim(claims: DigestClaim[]): Promise<string[]> {
    if (claims.length === 0) {
      return [];
    }
    const result = await this.digests
      .createQueryBuilder()
      .insert()
      .into(DigestEntity)
      .values(
        claims.map(({ merged, ...claim }) => ({
          ...claim,
          status: merged ? ('merged' as const) : ('pending' as const),
        })),
      )
      .orIgnore()
      .returning(['id', 'status'])
      .execute();
    return (result.raw as { id: string; status: DigestStatus }[])
      .filter((row) => row.status === 'pending')
      .map((row) => row.id);
  }

  findById(id: string): Promise<DigestEntity | null> {
    return this.digests.findOneBy({ id });
  }

  /** When the subscription's latest digest due before `before` was planned for (where its window ended). */
  async lastPlannedFor(subscriptionId: string, before: Date): Promise<Date | null> {
    const latest = await this.digests.findOne({
      select: { id: true, plannedFor: true },
      where: { subscriptionId, dueAt: LessThan(before), status: Not('merged') },
      order: { dueAt: 'DESC' },
    });
    return latest?.plannedFor ?? null;
  }

  findByIds(ids: string[]): Promise<DigestEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.digests.findBy({ id: In(ids) });
  }

  /**
   * A digest with its subscription, in one round trip; null when either is gone. `previousEnd` is the
   * instant the subscription's previous digest (by send time) was planned for, where its window ended:
   * this digest's window starts there (see digestWindow); a merged period has no window of its own. One probe of the (subscription, dueAt) index.
   */
  async findWithSubscription(
    id: string,
  ): Promise<{ digest: DigestEntity; subscription: SubscriptionEntity; previousEnd: Date | null } | null> {
    const rows = await this.prepared<
      SubscriptionEntity & { digest: Record<string, unknown>; previousEnd: Date | null }
    >(
      'digest-with-subscription',
      `SELECT ${this.subscriptionColumns}, json_build_object('id', d."id", 'subscriptionId', d."subscriptionId", 'periodKey', d."periodKey",
         'dueAt', d."dueAt", 'plannedFor', d."plannedFor", 'status', d."status", 'paperCount', d."paperCount",
         'omittedCount', d."omittedCount", 'builtAt', d."builtAt", 'createdAt', d."createdAt") AS "digest",
         (SELECT p."plannedFor" FROM "digests" p WHERE p."subscriptionId" = d."subscriptionId" AND p."dueAt" < d."dueAt"
            AND p."status" <> 'merged'
          ORDER BY p."dueAt" DESC LIMIT 1) AS "previousEnd"
       FROM "digests" d JOIN "subscriptions" s ON s."id" = d."subscriptionId" WHERE d."id" = $1`,
      [id],
    );
    if (rows.length === 0) {
      return null;
    }
    const { digest, previousEnd, ...subscription } = rows[0];
    const at = (value: unknown): Date | null => (value === null ? null : new Date(value as string));
    return {
      subscription,
      previousEnd: at(previousEnd),
      digest: {
        ...(digest as unknown as DigestEntity),
        dueAt: at(digest.dueAt) as Date,
        plannedFor: at(digest.plannedFor) as Date,
        builtAt: at(digest.builtAt),
        createdAt: at(digest.createdAt) as Date,
      },
    };
  }

  /** The ready papers of a window with their topics: what every digest of the window chooses from. */
  async candidatesIn(window: DigestSelection): Promise<CandidatePaper[]> {
    const rows = await this.digests.manager.query<
      { id: string; upvotes: number; listed: number; topics: string[]; scores: number[] }[]
    >(
      `SELECT p."id", p."upvotes", (extract(epoch FROM p."listedAt") * 1000000)::float8 AS "listed",
         COALESCE(array_agg(t."topic") FILTER (WHERE t."topic" IS NOT NULL), '{}') AS "topics",
         COALESCE(array_agg(t."score") FILTER (WHERE t."topic" IS NOT NULL), '{}') AS "scores"
       FROM "papers" p LEFT JOIN "paper_topics" t ON t."paperId" = p."id"
       WHERE p."readyAt" IS NOT NULL AND p."listedAt" > $1 AND p."listedAt" <= $2
       GROUP BY p."id"`,
      [window.listedAfter, window.listedUntil],
    );
    return rows.map((row) => ({
      id: row.id,
      upvotes: row.upvotes,
      listedAtMicros: row.listed,
      topics: new Map(row.topics.map((topic, index) => [topic, row.scores[index]])),
    }));
  }

  /**
   * The papers of a window matching any of these keywords (Postgres full-text search, the same reading
   * of a query as the papers search), with their rank.
   */
  async keywordRanks(window: DigestSelection, keywords: string[]): Promise<Map<string, number>> {
    if (keywords.length === 0) {
      return new Map();
    }
    const params: unknown[] = [window.listedAfter, window.listedUntil];
    const queries = keywords.map((keyword) => {
      params.push(toWebSearchQuery(keyword));
      return `websearch_to_tsquery('english', $${params.length})`;
    });
    const rows = await this.digests.manager.query<{ id: string; rank: number }[]>(
      `SELECT p."id", ts_rank(p."searchVector", q."query") AS "rank"
       FROM "papers" p, (SELECT ${queries.join(' || ')} AS "query") q
       WHERE p."readyAt" IS NOT NULL AND p."listedAt" > $1 AND p."listedAt" <= $2 AND p."searchVector" @@ q."query"`,
      params,
    );
    return new Map(rows.map((row) => [row.id, row.rank]));
  }

  /**
   * What a digest of this subscription would hold at the end of this window, without recording anything:
   * the same choice as a build (`rankCandidates`, then the papers never delivered, capped).
   */
  async preview(
    subscription: SubscriptionEntity,
    window: DigestSelection,
  ): Promise<{ paperIds: string[]; total: number }> {
    const keywordRanks =
      subscription.keywords.length > 0 ? await this.keywordRanks(window, subscription.keywords) : null;
    const ranked = rankCandidates(await this.candidatesIn(window), subscription, keywordRanks);
    const delivered = await this.deliveredAmong(subscription.id, ranked);
    const fresh = ranked.filter((id) => !delivered.has(id));
    return { paperIds: fresh.slice(0, subscription.maxPapers), total: fresh.length };
  }

  /**
   * Builds a pending digest once, in one locked transaction of one round trip: its papers (the first `maxPapers` of `ranked`
   * never delivered), one delivery per channel and its counts; null when another build got there first.
   * Why "never delivered" is a LATERAL probe, and what left-out papers are:
   * docs/adr/0001-digest-build-never-delivered-probe.md.
   */
  async build(
    digest: { id: string; subscriptionId: string },
    ranked: {
      paperIds: string[];
      maxPapers: number;
      channels: DeliveryChannel[];
      claim: boolean;
      /** For-you digests: each paper's explore mark and why sentence, recorded with it. */
      notes?: ReadonlyMap<string, PaperNote>;
    },
    now: Date,
  ): Promise<BuiltDigest | null> {
    const notes = ranked.paperIds.map((id) => ranked.notes?.get(id));
    // One round trip: the lock, the build and the commit (the function's reasons: its migration).
    const [row] = await this.prepared<{ built: BuiltDigest | null }>(
      'digest-build-v1',
      `SELECT "digest_build_v1"($1::uuid, $2::uuid, $3::uuid[], $4::integer, $5::text[], $6::timestamptz, $7::text,
         $8::integer, $9::boolean[], $10::text[]) AS "built"`,
      [
        digest.id,
        digest.subscriptionId,
        ranked.paperIds,
        ranked.maxPapers,
        ranked.channels,
        now,
        ranked.claim ? 'sending' : 'pending',
        LEFT_OUT_LISTED,
        notes.map((note) => (note ? note.explore : null)),
        notes.map((note) => note?.why ?? null),
      ],
    );
    return row?.built ?? null;
  }

  /** A digest built earlier (a re-run of its job): its status, deliveries and papers as recorded. */
  async builtState(digestId: string): Promise<BuiltDigest> {
    const [row] = await this.digests.manager.query<BuiltDigest[]>(
      `SELECT d."status", d."omittedCount",
         COALESCE((SELECT json_agg(json_build_object('id', v."id", 'channel', v."channel", 'status', v."status"))
                   FROM "deliveries" v WHERE v."digestId" = d."id"), '[]') AS "deliveries",
         COALESCE((SELECT array_agg(p."paperId" ORDER BY p."rank") FROM "digest_papers" p WHERE p."digestId" = d."id"), '{}') AS "paperIds"
       FROM "digests" d WHERE d."id" = $1`,
      [digestId],
    );
    return row ?? { status: 'failed', deliveries: [], paperIds: [], omittedCount: 0 };
  }

  /** Which of these papers the subscription's digests already hold. */
  async deliveredAmong(subscriptionId: string, paperIds: string[]): Promise<Set<string>> {
    if (paperIds.length === 0) {
      return new Set();
    }
    const rows = await this.digests.manager.query<{ paperId: string }[]>(
      `SELECT "paperId" FROM "digest_papers" WHERE "subscriptionId" = $1 AND "paperId" = ANY($2::uuid[])`,
      [subscriptionId, paperIds],
    );
    return new Set(rows.map((row) => row.paperId));
  }

  /** When the subscription's newest digest with papers was recorded: its personal feed changed then. */
  async latestWithPapersAt(subscriptionId: string): Promise<Date | null> {
    const [row] = await this.digests.manager.query<{ at: Date | null }[]>(
      `SELECT max(g."createdAt") AS "at" FROM "digests" g
       WHERE g."subscriptionId" = $1 AND EXISTS (SELECT 1 FROM "digest_papers" d WHERE d."digestId" = g."id")`,
      [subscriptionId],
    );
    return row.at ? new Date(row.at) : null;
  }

  /** The explore marks and why sentences of a digest's papers, by paper id (for-you digests only). */
  async notesOf(digestId: string): Promise<Map<string, PaperNote>> {
    const rows = await this.digests.manager.query<{ paperId: string; explore: boolean; why: string | null }[]>(
      `SELECT "paperId", "explore", "why" FROM "digest_papers" WHERE "digestId" = $1 AND "explore" IS NOT NULL`,
      [digestId],
    );
    return new Map(rows.map((row) => [row.paperId, { explore: row.explore, why: row.why }]));
  }

  /**
   * Which of `paperIds` (a feed's page, not the subscription's whole history) the subscription was shown in an
   * explore slot of one of its digests (votes on them are kept apart).
   */
  async exploredPaperIds(subscriptionId: string, paperIds: readonly string[]): Promise<Set<string>> {
    if (paperIds.length === 0) {
      return new Set();
    }
    const rows = await this.digests.manager.query<{ paperId: string }[]>(
      `SELECT DISTINCT "paperId" FROM "digest_papers"
        WHERE "subscriptionId" = $1 AND "paperId" = ANY($2::uuid[]) AND "explore" = true`,
      [subscriptionId, paperIds],
    );
    return new Set(rows.map((row) => row.paperId));
  }

  /** The papers of a digest, in digest order. */
  async paperIdsOf(digestId: string): Promise<string[]> {
    const rows = await this.digests.manager.find(DigestPaperEntity, { where: { digestId }, order: { rank: 'ASC' } });
    return rows.map((row) => row.paperId);
  }

  /**
   * Digests claimed but not built for `seconds`: their build job was lost (Redis restart) or failed.
   * Ages are measured on the database's clock, which stamped the rows, whatever the process's clock says.
   */
  async findStalePending(seconds: number): Promise<string[]> {
    const rows = await this.digests.manager.query<{ id: string }[]>(
      `SELECT "id" FROM "digests" WHERE "status" = 'pending' AND "createdAt" < now() - make_interval(secs => $1)`,
      [seconds],
    );
    return rows.map((row) => row.id);
  }
}
