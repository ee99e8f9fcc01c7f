import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764320000000 implements MigrationInterface {
  name = 'InitialSchema1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sources" (
        "id" text PRIMARY KEY,
        "kind" text NOT NULL,
        "url" text NOT NULL,
        "schedule" text NOT NULL,
        "timezone" text NOT NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "updatedAt" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "fetch_runs" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "sourceId" text NOT NULL REFERENCES "sources" ("id"),
        "listingDate" date,
        "startedAt" timestamptz NOT NULL,
        "finishedAt" timestamptz,
        "status" text NOT NULL CHECK ("status" IN ('running', 'succeeded', 'failed')),
        "httpStatus" integer,
        "itemsSeen" integer NOT NULL DEFAULT 0,
        "itemsNew" integer NOT NULL DEFAULT 0,
        "error" text
      )`);
    await queryRunner.query(`CREATE INDEX "fetch_runs_source_started" ON "fetch_runs" ("sourceId", "startedAt")`);

    await queryRunner.query(`
      CREATE TABLE "papers" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "arxivId" text,
        "version" integer,
        "title" text NOT NULL,
        "abstract" text NOT NULL,
        "authors" text[] NOT NULL DEFAULT '{}',
        "upvotes" integer NOT NULL DEFAULT 0,
        "keywords" text[] NOT NULL DEFAULT '{}',
        "categories" text[] NOT NULL DEFAULT '{}',
        "summary" text,
        "url" text,
        "codeUrl" text,
        "projectUrl" text,
        "listedAt" timestamptz NOT NULL,
        "publishedAt" timestamptz,
        "readyAt" timestamptz,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "updatedAt" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "papers_arxiv_id" ON "papers" ("arxivId")`);
    await queryRunner.query(`CREATE INDEX "papers_listed_at" ON "papers" ("listedAt")`);
    // array_to_string is only STABLE, and generated columns need IMMUTABLE expressions. The abstract is
    // cut at 100k characters because a tsvector cannot exceed 1 MB (a pathological listing must not fail).
    await queryRunner.query(`
      CREATE FUNCTION "paperboy_join_authors"(text[]) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$`);
    await queryRunner.query(`
      ALTER TABLE "papers" ADD "searchVector" tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', "title"), 'A') ||
        setweight(to_tsvector('english', left("abstract", 100000)), 'B') ||
        setweight(to_tsvector('simple', "paperboy_join_authors"("authors")), 'C')
      ) STORED`);
    await queryRunner.query(`CREATE INDEX "papers_search" ON "papers" USING gin ("searchVector")`);

    await queryRunner.query(`
      CREATE TABLE "paper_topics" (
        "paperId" uuid NOT NULL REFERENCES "papers" ("id") ON DELETE CASCADE,
        "topic" text NOT NULL,
        "score" real NOT NULL,
        "evidence" text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY ("paperId", "topic")
      )`);
    await queryRunner.query(`CREATE INDEX "paper_topics_topic" ON "paper_topics" ("topic")`);

    await queryRunner.query(`
      CREATE TABLE "listings" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "sourceId" text NOT NULL REFERENCES "sources" ("id"),
        "fetchRunId" uuid REFERENCES "fetch_runs" ("id") ON DELETE SET NULL,
        "externalId" text NOT NULL,
        "arxivId" text,
        "arxivVersion" integer,
        "title" text NOT NULL,
        "abstract" text NOT NULL,
        "authors" text[] NOT NULL DEFAULT '{}',
        "listedAt" timestamptz NOT NULL,
        "publishedAt" timestamptz,
        "upvotes" integer,
        "comments" integer,
        "keywords" text[] NOT NULL DEFAULT '{}',
        "categories" text[] NOT NULL DEFAULT '{}',
        "summary" text,
        "url" text,
        "codeUrl" text,
        "projectUrl" text,
        "paperId" uuid REFERENCES "papers" ("id") ON DELETE SET NULL,
        "classifiedAt" timestamptz,
        "rejectedReason" text,
        "fetchedAt" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "listings_source_external_id" UNIQUE ("sourceId", "externalId")
      )`);
    await queryRunner.query(`CREATE INDEX "listings_arxiv_id" ON "listings" ("arxivId")`);
    await queryRunner.query(`CREATE INDEX "listings_paper_id" ON "listings" ("paperId")`);
    await queryRunner.query(`CREATE INDEX "listings_fetch_run_id" ON "listings" ("fetchRunId")`);
    await queryRunner.query(`CREATE INDEX "listings_unclassified" ON "listings" ("sourceId") WHERE "classifiedAt" IS NULL`);

    await queryRunner.query(`
      CREATE TABLE "subscriptions" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "email" text,
        "slackWebhookUrl" text, -- encrypted (AES-256-GCM, key derived from APP_SECRET)
        "status" text NOT NULL CHECK ("status" IN ('pending', 'active', 'unsubscribed')),
        "topics" text[] NOT NULL DEFAULT '{}',
        "keywords" text[] NOT NULL DEFAULT '{}',
        "frequency" text NOT NULL CHECK ("frequency" IN ('daily', 'weekly', 'paused')),
        "weekday" smallint NOT NULL DEFAULT 1 CHECK ("weekday" BETWEEN 1 AND 7),
        "timezone" text NOT NULL,
        "sendHour" smallint NOT NULL CHECK ("sendHour" BETWEEN 0 AND 23),
        "maxPapers" smallint NOT NULL DEFAULT 20 CHECK ("maxPapers" BETWEEN 1 AND 200),
        "excludeTopics" text[] NOT NULL DEFAULT '{}',
        "minUpvotes" integer NOT NULL DEFAULT 0 CHECK ("minUpvotes" >= 0),
        "hardBounces" integer NOT NULL DEFAULT 0,
        "emailSuppressedAt" timestamptz,
        "slackDisabledAt" timestamptz,
        "slackDisabledReason" text,
        "activatedAt" timestamptz,
        "unsubscribedAt" timestamptz,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "updatedAt" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "subscriptions_email" ON "subscriptions" ("email")`);
    await queryRunner.query(`CREATE INDEX "subscriptions_active" ON "subscriptions" ("status") WHERE "status" = 'active'`);

    await queryRunner.query(`
      CREATE TABLE "digests" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "subscriptionId" uuid NOT NULL REFERENCES "subscriptions" ("id") ON DELETE CASCADE,
        "periodKey" text NOT NULL,
        "dueAt" timestamptz NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'empty', 'ready', 'sent', 'failed')),
        "paperCount" integer NOT NULL DEFAULT 0,
        "omittedCount" integer NOT NULL DEFAULT 0,
        "builtAt" timestamptz,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "digests_one_per_period" UNIQUE ("subscriptionId", "periodKey")
      )`);
    await queryRunner.query(`CREATE INDEX "digests_pending" ON "digests" ("createdAt") WHERE "status" = 'pending'`);

    await queryRunner.query(`
      CREATE TABLE "digest_papers" (
        "digestId" uuid NOT NULL REFERENCES "digests" ("id") ON DELETE CASCADE,
        "paperId" uuid NOT NULL REFERENCES "papers" ("id") ON DELETE CASCADE,
        "subscriptionId" uuid NOT NULL,
        "rank" integer NOT NULL,
        PRIMARY KEY ("digestId", "paperId"),
        CONSTRAINT "digest_papers_once_per_subscription" UNIQUE ("subscriptionId", "paperId")
      )`);

    await queryRunner.query(`
      CREATE TABLE "deliveries" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "digestId" uuid NOT NULL REFERENCES "digests" ("id") ON DELETE CASCADE,
        "channel" text NOT NULL CHECK ("channel" IN ('email', 'slack')),
        "status" text NOT NULL CHECK ("status" IN ('pending', 'sending', 'sent', 'failed')),
        "attempts" integer NOT NULL DEFAULT 0,
        "lastError" text,
        "providerResponse" text,
        "sentAt" timestamptz,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "updatedAt" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "deliveries_one_per_channel" UNIQUE ("digestId", "channel")
      )`);
    await queryRunner.query(
      `CREATE INDEX "deliveries_unfinished" ON "deliveries" ("updatedAt") WHERE "status" IN ('pending', 'sending')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'deliveries',
      'digest_papers',
      'digests',
      'subscriptions',
      'listings',
      'paper_topics',
      'papers',
      'fetch_runs',
      'sources',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION "paperboy_join_authors"(text[])`);
  }
}
