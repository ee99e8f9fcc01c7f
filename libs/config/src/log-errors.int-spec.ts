import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { pinoHttpOptions } from './logging.module';

const EMAIL = 'reader.secret@example.org';
const WEBHOOK = 'sealed:v1:c2VjcmV0LXdlYmhvb2stdmFsdWU';

/** What the apps' logger writes for an error from real Postgres, as the exceptions handler logs it. */
describe('logged database errors', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('logerrors');
    dataSource = new DataSource({ type: 'postgres', url: database.url });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE readers (email text UNIQUE, webhook text)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const failure = async (sql: string, parameters: unknown[]): Promise<QueryFailedError> => {
    const error: unknown = await dataSource.query(sql, parameters).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(QueryFailedError);
    return error as QueryFailedError;
  };

  const logged = (error: Error): Record<string, unknown> & { err: Record<string, unknown> } => {
    let output = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    pinoHttp(pinoHttpOptions({ LOG_LEVEL: 'info', production: true }), stream).logger.error({ err: error }, 'failed');
    return JSON.parse(output) as Record<string, unknown> & { err: Record<string, unknown> };
  };

  it('should keep the message, code and statement of a failed insert but none of its values', async () => {
    await dataSource.query(`INSERT INTO readers (email, webhook) VALUES ($1, $2)`, [EMAIL, WEBHOOK]);
    const error = await failure(`INSERT INTO readers (email, webhook) VALUES ($1, $2)`, [EMAIL, WEBHOOK]);
    // The error itself carries them: the values in `parameters`, the address in the driver's `detail`.
    expect(JSON.stringify({ ...error })).toContain(EMAIL);
    const line = logged(error);
    expect(line.err).toEqual(
      expect.objectContaining({
        type: 'QueryFailedError',
        message: 'duplicate key value violates unique constraint "readers_email_key"',
        code: '23505',
        constraint: 'readers_email_key',
        query: 'INSERT INTO readers (email, webhook) VALUES ($1, $2)',
      }),
    );
    expect(JSON.stringify(line)).not.toContain(EMAIL);
    expect(JSON.stringify(line)).not.toContain(WEBHOOK);
  });

  it('should blank a value that the message itself quotes', async () => {
    const error = await failure(`SELECT $1::uuid`, [EMAIL]);
    expect(error.message).toContain(EMAIL);
    const line = logged(error);
    expect(line.err.message).toBe('invalid input syntax for type uuid: "[redacted]"');
    expect(JSON.stringify(line)).not.toContain(EMAIL);
  });

  it('should log a NUL byte refused in a statement without the text it was in', async () => {
    const error = await failure(`SELECT count(*) FROM readers WHERE email = ANY($1)`, [[`ab\u0000cd ${EMAIL}`]]);
    const line = logged(error);
    expect(line.err.message).toBe('invalid byte sequence for encoding "UTF8": 0x00');
    expect(JSON.stringify(line)).not.toContain(EMAIL);
  });
});
