import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Relevance (issue 14, docs/adr/0003-relevance-model.md), expand-only: votes (one row per subscription
 * and paper, the last vote wins; seeds are up-votes with source 'seed'), followed authors and the ranking
 * mode of a subscription (null: automatic, upvotes until the first vote or seed), each paper's term counts
 * with document frequencies kept incrementally, and each subscriber's trained model. Paper ids carry no
 * foreign key, as the ledger's do: a merge moves them.
 */
export class Relevance1765600000140 implements MigrationInterface {
  name = 'Relevance1765600000140';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "subscriptions" ADD "ranking" text CONSTRAINT "subscriptions_ranking" CHECK ("ranking" IN ('for-you', 'upvotes', 'newest'))`,
    );
    await queryRunner.query(`ALTER TABLE "subscriptions" ADD "followedAuthors" text[] NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`
      CREATE TABLE "paper_votes" (
        "subscriptionId" uuid NOT NULL REFERENCES "subscriptions" ("id") ON DELETE CASCADE,
        "paperId" uuid NOT NULL,
        "vote" text NOT NULL CONSTRAINT "paper_votes_vote" CHECK ("vote" IN ('up', 'down')),
        "source" text NOT NULL CONSTRAINT "paper_votes_source" CHECK ("source" IN ('digest', 'explore', 'site', 'seed')),
        "createdAt" timestamptz NOT NULL,
        "updatedAt" timestamptz NOT NULL,
        PRIMARY KEY ("subscriptionId", "paperId")
      )`);
    await queryRunner.query(`CREATE INDEX "paper_votes_paper" ON "paper_votes" ("paperId")`);
    await queryRunner.query(`
      CREATE TABLE "paper_features" (
        "paperId" uuid PRIMARY KEY,
        "terms" text[] NOT NULL,
        "counts" int4[] NOT NULL,
        "createdAt" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "paper_features_terms" ON "paper_features" USING gin ("terms")`);
    await queryRunner.query(`
      CREATE TABLE "term_frequencies" (
        "term" text PRIMARY KEY,
        "documents" int NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE "subscriber_models" (
        "subscriptionId" uuid PRIMARY KEY REFERENCES "subscriptions" ("id") ON DELETE CASCADE,
        "terms" text[] NOT NULL,
        "weights" real[] NOT NULL,
        "liked" int NOT NULL,
        "disliked" int NOT NULL,
        "trainedAt" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "subscriber_models"`);
    await queryRunner.query(`DROP TABLE "term_frequencies"`);
    await queryRunner.query(`DROP TABLE "paper_features"`);
    await queryRunner.query(`DROP TABLE "paper_votes"`);
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "followedAuthors"`);
    await queryRunner.query(`ALTER TABLE "subscriptions" DROP "ranking"`);
  }
}
