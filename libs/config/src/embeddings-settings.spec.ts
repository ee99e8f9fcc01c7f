import { InvalidSettingsError, loadSettings } from './settings';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof InvalidSettingsError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe('embeddings settings', () => {
  it('should leave embeddings off by default', () => {
    expect(loadSettings({}).embeddings).toBeNull();
  });

  it('should take an endpoint, a model and an optional key', () => {
    expect(
      loadSettings({ EMBEDDINGS_URL: 'http://127.0.0.1:8080/v1/embeddings', EMBEDDINGS_MODEL: 'bge-small-en' })
        .embeddings,
    ).toEqual({ url: 'http://127.0.0.1:8080/v1/embeddings', model: 'bge-small-en', apiKey: undefined });
    expect(
      loadSettings({
        EMBEDDINGS_URL: 'https://api.openai.com/v1/embeddings',
        EMBEDDINGS_MODEL: 'text-embedding-3-small',
        EMBEDDINGS_API_KEY: 'sk-test-123',
      }).embeddings,
    ).toEqual({
      url: 'https://api.openai.com/v1/embeddings',
      model: 'text-embedding-3-small',
      apiKey: 'sk-test-123',
    });
  });

  it('should weigh the dense term 0.5 unless told, from 0 to 10', () => {
    expect(loadSettings({}).EMBEDDINGS_WEIGHT).toBe(0.5);
    expect(loadSettings({ EMBEDDINGS_WEIGHT: '0' }).EMBEDDINGS_WEIGHT).toBe(0);
    expect(loadSettings({ EMBEDDINGS_WEIGHT: '1.25' }).EMBEDDINGS_WEIGHT).toBe(1.25);
    for (const bad of ['-1', '11', 'heavy']) {
      expect(problemsOf({ EMBEDDINGS_WEIGHT: bad })).toEqual([
        `EMBEDDINGS_WEIGHT must be a number from 0 to 10 (got "${bad}")`,
      ]);
    }
  });

  it('should name what is missing or malformed', () => {
    expect(problemsOf({ EMBEDDINGS_URL: 'https://api.openai.com/v1/embeddings' })).toEqual([
      'EMBEDDINGS_MODEL must be set with EMBEDDINGS_URL (the model to ask for, e.g. text-embedding-3-small)',
    ]);
    expect(problemsOf({ EMBEDDINGS_MODEL: 'm', EMBEDDINGS_API_KEY: 'sk-x' })).toEqual([
      'EMBEDDINGS_MODEL needs EMBEDDINGS_URL (unset, embeddings are off)',
      'EMBEDDINGS_API_KEY needs EMBEDDINGS_URL (unset, embeddings are off)',
    ]);
    expect(problemsOf({ EMBEDDINGS_URL: 'ftp://example.org/embeddings', EMBEDDINGS_MODEL: 'm' })).toEqual([
      'EMBEDDINGS_URL must be an http(s) URL, e.g. https://api.openai.com/v1/embeddings (got "ftp://example.org/embeddings")',
    ]);
    expect(problemsOf({ EMBEDDINGS_URL: 'https://example.org/v1/embeddings', EMBEDDINGS_MODEL: 'two words' })).toEqual([
      'EMBEDDINGS_MODEL must be a model name of 1-200 characters, no spaces (got "two words")',
    ]);
  });

  it('should never echo the key, and want https for it in production', () => {
    const key = 'sk-secret with-space';
    const problems = problemsOf({
      EMBEDDINGS_URL: 'https://example.org/v1/embeddings',
      EMBEDDINGS_MODEL: 'm',
      EMBEDDINGS_API_KEY: key,
    });
    expect(problems).toEqual(['EMBEDDINGS_API_KEY must be one token without spaces']);
    expect(problems.join('\n')).not.toContain('sk-secret');

    const production = problemsOf({
      NODE_ENV: 'production',
      APP_SECRET: 'a-production-secret-of-enough-length',
      EMBEDDINGS_URL: 'http://embeddings.internal/v1/embeddings',
      EMBEDDINGS_MODEL: 'm',
      EMBEDDINGS_API_KEY: 'sk-secret',
    });
    expect(production).toEqual(['EMBEDDINGS_URL must be https:// in production when EMBEDDINGS_API_KEY is set']);
    expect(production.join('\n')).not.toContain('sk-secret');
  });
});
