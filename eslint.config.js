// One gate for the code's shape: typescript-eslint's recommended rules plus the layer boundaries
// (electron only in app/, renderer imports only types from main/).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'dist-renderer/**',
      'release/**',
      'test-output/**',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: '.only is banned' },
      ],
    },
  },
  {
    files: ['main/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx', 'test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only app/ may import electron.' }] },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only app/ may import electron.' }],
          patterns: [
            {
              group: ['**/main/**', '!**/main/workbench/api*'],
              message: 'The renderer imports only types from main/workbench/api.ts.',
            },
            { group: ['**/main/workbench/api*'], allowTypeImports: true, message: 'Type imports only.' },
          ],
        },
      ],
    },
  },
);
