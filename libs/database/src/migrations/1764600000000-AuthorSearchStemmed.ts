import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Authors in the search vector with the same English configuration as the queries: with "simple",
 * a query for "lovelace" (stemmed to "lovelac") never found the author Lovelace.
 */
export class AuthorSearchStemmed1764600000000 implements MigrationInterface {
  name = 'AuthorSearchStemmed1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.searchVector(queryRunner, 'english');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.searchVector(queryRunner, 'simple');
  }

  private async searchVector(queryRunner: QueryRunner, authorsConfig: 'english' | 'simple'): Promise<void> {
    await queryRunner.query(`DROP INDEX "papers_search"`);
    await queryRunner.query(`ALTER TABLE "papers" DROP COLUMN "searchVector"`);
    await queryRunner.query(`
      ALTER TABLE "papers" ADD "searchVector" tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', "title"), 'A') ||
        setweight(to_tsvector('english', left("abstract", 100000)), 'B') ||
        setweight(to_tsvector('${authorsConfig}', "paperboy_join_authors"("authors")), 'C')
      ) STORED`);
    await queryRunner.query(`CREATE INDEX "papers_search" ON "papers" USING gin ("searchVector")`);
  }
}
