// One gate for the code's shape: typescript-eslint's type-checked rules, and the layers as import
// boundaries: transport → esp → flash → workbench → host/cli/app, with image, library and mqtt beside
// them; main/sim reachable only from the composition roots that register it; electron only in app/;
// the renderer on the WorkbenchApi contract only.
import tseslint from 'typescript-eslint';

const FOLDERS = ['transport', 'esp', 'flash', 'workbench', 'host', 'cli', 'image', 'library', 'mqtt', 'sim'];

/** Folders under main/ that each folder must not import (relative imports, any depth). */
const FORBIDDEN = {
  transport: ['esp', 'flash', 'workbench', 'host', 'cli', 'image', 'library', 'mqtt', 'sim'],
  esp: ['flash', 'workbench', 'host', 'cli', 'image', 'library', 'mqtt', 'sim'],
  flash: ['workbench', 'host', 'cli', 'mqtt', 'sim'],
  workbench: ['host', 'cli', 'sim'],
  host: ['cli', 'sim', 'flash', 'esp', 'transport'],
  cli: ['sim'],
  image: ['transport', 'esp', 'flash', 'workbench', 'host', 'cli', 'library', 'mqtt', 'sim'],
  library: ['transport', 'esp', 'flash', 'workbench', 'host', 'cli', 'mqtt', 'sim'],
  mqtt: ['flash', 'workbench', 'host', 'cli', 'image', 'library', 'sim'],
  sim: ['flash', 'workbench', 'host', 'cli', 'library'],
};

/** Where main/sim is wired in (virtual: ports, the virtual boards' network): the composition roots. */
const SIM_ROOTS = [
  'main/cli/main.ts',
  'main/cli/commands/sim.ts',
  'main/cli/commands/mqtt-check.ts',
  'main/cli/commands/monitor.ts',
  'main/workbench/real-deps.ts',
];

const ELECTRON = { name: 'electron', message: 'Only app/ may import electron.' };

const ONLY = { selector: "CallExpression[callee.property.name='only']", message: '.only is banned' };

const layerMessage = (folder, f) =>
  `main/${folder} must not import main/${f} (layers: transport → esp → flash → workbench → host/cli/app; image, library, mqtt beside; sim only from the composition roots).`;

function layerRule(folder, forbidden) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: [ELECTRON],
        patterns: forbidden.map((f) => ({
          group: [`../**/${f}/*`, `../${f}/*`, `./${f}/*`],
          message: layerMessage(folder, f),
        })),
      },
    ],
    // no-restricted-imports does not see import(): the same boundaries for a lazily loaded module.
    'no-restricted-syntax': [
      'error',
      ONLY,
      ...forbidden.map((f) => ({
        selector: `ImportExpression[source.value=/^[.][.]?[\\/](.*[\\/])?${f}[\\/]/]`,
        message: layerMessage(folder, f),
      })),
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'dist-renderer/**',
      'release/**',
      'test-output/**',
      '**/*.js',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.cts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `async` on a method that must return a Promise (Link, deps interfaces) is deliberate: a throw
      // inside becomes a rejection the caller handles, instead of a synchronous exception.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': ['error', ONLY],
    },
  },
  {
    // Tests read the CLI's JSON output and mocked Electron objects as `any`; typing every parse
    // would add ceremony, not safety (the assertions check the shape).
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // `getByLabelText('…') as HTMLSelectElement` is the Testing Library idiom; the rule's rewrite
      // (a type argument) says the same thing and is not safer.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      'no-restricted-imports': ['error', { paths: [ELECTRON] }],
    },
  },
  // The layers of main/: one block per folder.
  ...FOLDERS.map((folder) => ({
    files: [`main/${folder}/**/*.ts`],
    rules: layerRule(folder, FORBIDDEN[folder]),
  })),
  {
    // The top-level modules (errors, progress, datadir, settings, …) sit under every layer.
    files: ['main/*.ts'],
    rules: layerRule('(top level)', FOLDERS),
  },
  {
    files: SIM_ROOTS,
    rules: layerRule('composition root', []),
  },
  {
    files: ['main/workbench/real-deps.ts'],
    rules: layerRule('workbench', ['host', 'cli']),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON],
          patterns: [
            {
              // The flash geometry is plain numbers the API speaks in (sector numbers), with no imports.
              group: ['**/main/**', '!**/main/workbench/api*', '!**/main/flash-geometry*'],
              message:
                'The renderer imports only types from main/workbench/api.ts (and the numbers of main/flash-geometry.ts).',
            },
            { group: ['**/main/workbench/api*'], allowTypeImports: true, message: 'Type imports only.' },
          ],
        },
      ],
    },
  },
  {
    // The Node entry scripts: plain JavaScript, no type information.
    files: ['bin/**/*.mjs'],
    extends: [tseslint.configs.base, ...tseslint.configs.recommended.filter((c) => !c.files)],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'performance',
          'setTimeout',
          'clearTimeout',
          'Buffer',
          'AbortController',
        ].map((g) => [g, 'readonly']),
      ),
    },
    rules: { 'no-undef': 'error' },
  },
);
