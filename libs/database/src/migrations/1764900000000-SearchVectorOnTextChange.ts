import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The search vector is computed when a paper's title, abstract or authors change, not on every update: a
 * generated column is recomputed (and re-indexed) on any update, such as a new version number or more upvotes,
 * and the classifier updates thousands of papers a minute. Same expression as before (AuthorSearchStemmed).
 * Papers leave room on their pages (fillfactor) so that such updates can stay on the page (HOT) and skip the
 * indexes altogether.
 */
export class SearchVectorOnTextChange1764900000000 implements MigrationInterface {
  name = 'SearchVectorOnTextChange1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "papers" ALTER COLUMN "searchVector" DROP EXPRESSION`);
    await queryRunner.query(`
      CREATE FUNCTION "paperboy_paper_search_vector"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW."searchVector" :=
          setweight(to_tsvector('english', NEW."title"), 'A') ||
          setweight(to_tsvector('english', left(NEW."abstract", 100000)), 'B') ||
          setweight(to_tsvector('english', "paperboy_join_authors"(NEW."authors")), 'C');
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "papers_search_vector_insert" BEFORE INSERT ON "papers"
      FOR EACH ROW EXECUTE FUNCTION "paperboy_paper_search_vector"()`);
    await queryRunner.query(`
      CREATE TRIGGER "papers_search_vector_update" BEFORE UPDATE OF "title", "abstract", "authors" ON "papers"
      FOR EACH ROW WHEN (
        OLD."title" IS DISTINCT FROM NEW."title" OR
        OLD."abstract" IS DISTINCT FROM NEW."abstract" OR
        OLD."authors" IS DISTINCT FROM NEW."authors"
      ) EXECUTE FUNCTION "paperboy_paper_search_vector"()`);
    await queryRunner.query(`ALTER TABLE "papers" SET (fillfactor = 80)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "papers" RESET (fillfactor)`);
    await queryRunner.query(`DROP TRIGGER "papers_search_vector_update" ON "papers"`);
    await queryRunner.query(`DROP TRIGGER "papers_search_vector_insert" ON "papers"`);
    await queryRunner.query(`DROP FUNCTION "paperboy_paper_search_vector"()`);
    await queryRunner.query(`DROP INDEX "papers_search"`);
    await queryRunner.query(`ALTER TABLE "papers" DROP COLUMN "searchVector"`);
    await queryRunner.query(`
      ALTER TABLE "papers" ADD "searchVector" tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', "title"), 'A') ||
        setweight(to_tsvector('english', left("abstract", 100000)), 'B') ||
        setweight(to_tsvector('english', "paperboy_join_authors"("authors")), 'C')
      ) STORED`);
    await queryRunner.query(`CREATE INDEX "papers_search" ON "papers" USING gin ("searchVector")`);
  }
}
