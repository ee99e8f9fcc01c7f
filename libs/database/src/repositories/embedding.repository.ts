import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PaperForFeatures } from './relevance.repository';

/** A paper's embedding as a subscriber's votes name it. */
export interface VotedEmbedding {
  paperId: string;
  vote: 'up' | 'down';
  vector: Float32Array;
}

/**
 * The papers' dense embeddings (`paper_embeddings`, optional, docs/relevance.md): one per paper, with
 * the model that made it; readers ask for one model and see no other's vectors. Vectors travel as float32
 * bytes (bytea), which pg reads as one Buffer.
 */
@Injectable()
export class EmbeddingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The texts of the ready papers among these that have no embedding of this model yet. */
  async missing(model: string, paperIds: readonly string[]): Promise<PaperForFeatures[]> {
    if (paperIds.length === 0) {
      return [];
    }
    return this.dataSource.query<PaperForFeatures[]>(
      `SELECT p."id", p."title", p."abstract", p."authors", p."categories", p."keywords"
         FROM "papers" p
        WHERE p."id" = ANY($1::uuid[]) AND p."readyAt" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "paper_embeddings" e WHERE e."paperId" = p."id" AND e."model" = $2)
        ORDER BY p."id"`,
      [paperIds, model],
    );
  }

  /** Ids of ready papers without an embedding of this model, in id order after `afterId`: a backfill's pages. */
  async unembeddedIds(model: string, limit: number, afterId?: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT p."id" FROM "papers" p
        WHERE p."readyAt" IS NOT NULL AND ($3::uuid IS NULL OR p."id" > $3::uuid)
          AND NOT EXISTS (SELECT 1 FROM "paper_embeddings" e WHERE e."paperId" = p."id" AND e."model" = $1)
        ORDER BY p."id"
        LIMIT $2`,
      [model, limit, afterId ?? null],
    );
    return rows.map((row) => row.id);
  }

  /** Stores papers' embeddings, replacing any earlier one (another model's, or a race's twin: same input, same vector). */
  async store(model: string, embeddings: { paperId: string; vector: Float32Array }[], now: Date): Promise<void> {
    if (embeddings.length === 0) {
      return;
    }
    await this.dataSource.query(
      `INSERT INTO "paper_embeddings" ("paperId", "model", "dims", "vector", "computedAt")
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int4[], $4::bytea[], $5::timestamptz[])
       ON CONFLICT ("paperId") DO UPDATE
         SET "model" = EXCLUDED."model", "dims" = EXCLUDED."dims", "vector" = EXCLUDED."vector",
             "computedAt" = EXCLUDED."computedAt"`,
      [
        embeddings.map((e) => e.paperId),
        embeddings.map(() => model),
        embeddings.map((e) => e.vector.length),
        embeddings.map((e) => Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength)),
        embeddings.map(() => now),
      ],
    );
  }

  /** The embeddings of this model of these papers, by paper id (papers without one are missing). */
  async vectors(model: string, paperIds: readonly string[]): Promise<Map<string, Float32Array>> {
    if (paperIds.length === 0) {
      return new Map();
    }
    const rows = await this.dataSource.query<{ paperId: string; vector: Buffer }[]>(
      `SELECT "paperId", "vector" FROM "paper_embeddings" WHERE "paperId" = ANY($1::uuid[]) AND "model" = $2`,
      [paperIds, model],
    );
    return new Map(rows.map((row) => [row.paperId, toFloat32(row.vector)]));
  }

  /** A subscription's voted papers (up-votes and seeds, down-votes) that have an embedding of this model, latest first. */
  async voted(subscriptionId: string, model: string, limit: number): Promise<VotedEmbedding[]> {
    const rows = await this.dataSource.query<{ paperId: string; vote: 'up' | 'down'; vector: Buffer }[]>(
      `SELECT v."paperId", v."vote", e."vector"
         FROM "paper_votes" v JOIN "paper_embeddings" e ON e."paperId" = v."paperId" AND e."model" = $2
        WHERE v."subscriptionId" = $1
        ORDER BY v."updatedAt" DESC, v."paperId"
        LIMIT $3`,
      [subscriptionId, model, limit],
    );
    return rows.map((row) => ({ paperId: row.paperId, vote: row.vote, vector: toFloat32(row.vector) }));
  }
}

/** A copy, aligned: pg's Buffers are slices of a pool, at any offset. */
function toFloat32(bytes: Buffer): Float32Array {
  const vector = new Float32Array(bytes.length / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return vector;
}
