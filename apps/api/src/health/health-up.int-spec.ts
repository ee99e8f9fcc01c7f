import { useApi } from '../../../../test/support/api-context';

/** The health endpoint with everything up. */
describe('GET /health', () => {
  const ctx = useApi('health-up');
  const { http } = ctx;

  it('should answer 200 with the database and Redis up', async () => {
    const response = await http().get('/health');

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
    });
  });
});
