// Type-aware lint: the async mistakes tests rarely catch, and the boundaries between apps and libs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// mjml is a development dependency: only scripts/compile-email-template.ts may load it.
const MJML_BUILD_TIME_ONLY = { group: ['mjml', 'mjml-*'], message: 'mjml is build-time only: compile templates with npm run email:compile.' };

// Each app is its own process: none imports another (specs included).
const APPS = ['api', 'classifier', 'cli', 'fetcher', 'notifier'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.demo/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Processors switch over the job names of their own queue and fail the rest in `default`.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      curly: 'error',
      eqeqeq: 'error',
      'object-shorthand': 'error',
    },
  },
  // One block per app, specs included: a relative path into another app's folder is refused too.
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/libs/*', '../../libs/**', '**/apps/*'], message: 'Import libs through @libs/*; apps never import each other.' },
            {
              regex: `(^|/)(${APPS.filter((other) => other !== app).join('|')})/src(/|$)`,
              message: `apps never import each other: ${app} may not load another app's code (move what both need to a lib).`,
            },
            MJML_BUILD_TIME_ONLY,
          ],
        },
      ],
    },
  })),
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [MJML_BUILD_TIME_ONLY] }] },
  },
  // A named statement prepared with `*` fails once a migration adds a column ("cached plan must not change
  // result type"), stopping the previous release mid-upgrade: name the columns (entityColumns).
  {
    files: ['libs/database/src/repositories/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['TemplateElement[value.raw', 'Literal[value'].map((node) => ({
          selector: `${node}=/\\b(SELECT|RETURNING)\\s+(\\w+\\.)?\\*(?!\\s+FROM\\s+(json_to_recordset|unnest)\\b)/i]`,
          message: 'Name the columns instead of * (docs/operations.md, "Upgrades without downtime").',
        })),
      ],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nestjs/*', 'typeorm', 'bullmq', 'ioredis', 'nodemailer', 'pg', '@libs/*'], message: 'The domain lib imports no framework and no other lib.' }, MJML_BUILD_TIME_ONLY] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Rows read back with pg are untyped; the assertions on them are the point of the test.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Specs under libs may load test fixtures outside the lib; app specs keep the app boundary above (no apps/*).
  {
    files: ['libs/**/*.spec.ts', 'libs/**/*-spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [MJML_BUILD_TIME_ONLY] }] },
  },
);
