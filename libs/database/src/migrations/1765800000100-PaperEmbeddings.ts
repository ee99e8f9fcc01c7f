import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One dense embedding per paper (issue 14, optional: written only when EMBEDDINGS_URL is set), expand-only.
 * The vector is little-endian float32 bytes (`dims` of them): pg hands bytea over as one Buffer, where a
 * real[] is parsed a character at a time. No foreign key to papers (docs/adr/0004): the merge moves or
 * deletes a duplicate's row itself. `model` names what made it: a new model means a backfill.
 */
export class PaperEmbeddings1765800000100 implements MigrationInterface {
  name = 'PaperEmbeddings1765800000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "paper_embeddings" (
        "paperId" uuid PRIMARY KEY,
        "model" text NOT NULL,
        "dims" int4 NOT NULL CHECK ("dims" > 0),
        "vector" bytea NOT NULL CHECK (octet_length("vector") = 4 * "dims"),
        "computedAt" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "paper_embeddings"`);
  }
}
