// Lint rules that keep the architecture honest (ARCHITECTURE.md section 2, STYLE.md section 7):
// no `any`; libs/lsm imports neither the domain nor the CLI; libs/domain does not import the CLI;
// libs/store-etcd does not import the CLI; inside libs/lsm only fs/node-fs.ts touches node:fs.
// A violating import fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const cliImports = ['@progress/cli', '@progress/cli/*', '**/apps/progress-cli/**'];
const domainImports = ['@progress/domain', '@progress/domain/*', '**/libs/domain/**'];
const nodeFsImports = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'];

function restrict(patterns, message) {
  return { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/out-tsc/**', '**/.test-results/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'Buffer', 'TextEncoder', 'TextDecoder', 'performance', 'setTimeout', 'clearTimeout',
          'setInterval', 'clearInterval', 'setImmediate', 'AbortController', 'structuredClone', 'fetch'].map((name) => [name, 'readonly']),
      ),
    },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  {
    files: ['libs/lsm/**/*.ts'],
    ignores: ['**/fs/node-fs.ts', '**/*.test.ts', '**/testing/**', '**/bin/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeFsImports.map((name) => ({
            name,
            message: 'libs/lsm does file I/O only through the Fs interface (fs/fs.ts).',
          })),
          patterns: [
            { group: [...domainImports, ...cliImports], message: 'libs/lsm may not import libs/domain or the CLI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/lsm/**/*.test.ts', 'libs/lsm/**/testing/**/*.ts', 'libs/lsm/**/bin/**/*.ts'],
    rules: restrict([...domainImports, ...cliImports], 'libs/lsm may not import libs/domain or the CLI.'),
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: restrict(cliImports, 'libs/domain may not import the CLI.'),
  },
  {
    files: ['libs/store-etcd/**/*.ts'],
    rules: restrict(cliImports, 'libs/store-etcd may not import the CLI.'),
  },
);
