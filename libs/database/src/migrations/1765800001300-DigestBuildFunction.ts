import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The digest build as one function, so a build is one round trip and one implicit transaction instead of
 * four (BEGIN, the lock, the build, COMMIT): bench:scale measured round trips as the largest share of a
 * digest's CPU in both the notifier and Postgres.
 *
 * What it does is the statement DigestRepository ran before, unchanged: the subscription's builds take
 * turns on a transaction-scoped advisory lock, taken first; the build statement that follows takes its
 * own snapshot after the lock (a VOLATILE plpgsql function does, in READ COMMITTED), so a second build
 * of the subscription sees the papers the first recorded instead of failing on
 * digest_papers_once_per_subscription. Sequential scans are off for the transaction: the statement's
 * cached plan, made on a fresh database's empty ledger, would otherwise scan digest_papers per candidate
 * (docs/benchmarks.md, "Notifier at scale"). Why "never delivered" is a LATERAL probe:
 * docs/adr/0001-digest-build-never-delivered-probe.md.
 *
 * Versioned by name: a release that changes the build adds digest_build_v2 beside this one, so notifiers
 * of the previous release keep calling theirs (expand-only, docs/operations.md "Upgrades without downtime").
 */
export class DigestBuildFunction1765800001300 implements MigrationInterface {
  name = 'DigestBuildFunction1765800001300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION "digest_build_v1"(
        p_digest uuid, p_subscription uuid, p_papers uuid[], p_max integer, p_channels text[], p_now timestamptz,
        p_delivery_status text, p_left_out integer, p_explore boolean[], p_why text[]
      ) RETURNS json LANGUAGE plpgsql VOLATILE AS $build$
      DECLARE
        built json;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('digest-build:' || p_subscription::text, 0));
        PERFORM set_config('enable_seqscan', 'off', true);
        WITH target AS (
          SELECT "id", "subscriptionId" FROM "digests" WHERE "id" = p_digest AND "status" = 'pending' FOR UPDATE
        ),
        fresh AS (
          SELECT c."id", c."ord", c."explore", c."why"
          FROM unnest(p_papers::uuid[], p_explore::boolean[], p_why::text[]) WITH ORDINALITY AS c("id", "explore", "why", "ord")
          JOIN "papers" p ON p."id" = c."id" CROSS JOIN target t
          LEFT JOIN LATERAL (
            SELECT 1 AS "held" FROM "digest_papers" x
            WHERE x."subscriptionId" = t."subscriptionId" AND x."paperId" = c."id" LIMIT 1
          ) sent ON true
          WHERE sent."held" IS NULL
        ),
        picked AS (
          SELECT "id", "explore", "why", row_number() OVER (ORDER BY "ord") AS "rank" FROM fresh ORDER BY "ord" LIMIT p_max
        ),
        recorded AS (
          INSERT INTO "digest_papers" ("digestId", "paperId", "subscriptionId", "rank", "explore", "why")
          SELECT t."id", p."id", t."subscriptionId", p."rank", p."explore", p."why" FROM picked p, target t
          RETURNING "paperId", "rank"
        ),
        channels AS (
          INSERT INTO "deliveries" ("digestId", "channel", "status", "attempts")
          SELECT t."id", c, p_delivery_status, CASE WHEN p_delivery_status = 'sending' THEN 1 ELSE 0 END
          FROM target t, unnest(p_channels::text[]) AS c WHERE EXISTS (SELECT 1 FROM picked)
          RETURNING "id", "channel", "status"
        ),
        settled AS (
          UPDATE "digests" d SET
            "status" = CASE WHEN NOT EXISTS (SELECT 1 FROM picked) THEN 'empty'
                            WHEN cardinality(p_channels::text[]) > 0 THEN 'ready' ELSE 'sent' END,
            "builtAt" = p_now,
            "paperCount" = (SELECT count(*) FROM picked),
            "omittedCount" = (SELECT count(*) FROM fresh) - (SELECT count(*) FROM picked),
            "leftOutPaperIds" = ARRAY(SELECT "id" FROM fresh ORDER BY "ord" OFFSET p_max LIMIT p_left_out)
          FROM target t WHERE d."id" = t."id"
          RETURNING d."status", d."omittedCount"
        )
        SELECT json_build_object('status', s."status", 'omittedCount', s."omittedCount",
          'deliveries', COALESCE((SELECT json_agg(json_build_object('id', "id", 'channel', "channel", 'status', "status")) FROM channels), '[]'),
          'paperIds', COALESCE((SELECT array_agg("paperId" ORDER BY "rank") FROM recorded), '{}'))
        INTO built
        FROM settled s;
        RETURN built;
      END
      $build$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS "digest_build_v1"`);
  }
}
