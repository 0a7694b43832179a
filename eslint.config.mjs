// Lint config. Besides the usual rules it enforces the process boundary: the renderer and the
// shared contract never import main-process code, Node built-ins or Electron (STYLE.md #2).
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export const rendererBoundary = {
  patterns: [
    { group: ['**/main/**', '../main/*', '**/src/main'], message: 'The renderer talks to main only through the contract (src/shared/contract).' },
    { group: ['node:*', 'fs', 'path', 'child_process', 'better-sqlite3', 'sharp', 'onnxruntime-node'], message: 'No Node modules in the renderer: it runs sandboxed.' },
    { group: ['electron'], message: 'The renderer reaches Electron only through the preload bridge (window.pixelStudio).' }
  ]
}

export const sharedBoundary = {
  patterns: [
    { group: ['**/main/**', '**/renderer/**', '**/preload/index*'], message: 'src/shared is imported by every side; it imports none of them.' },
    { group: ['node:*', 'fs', 'path', 'electron', 'better-sqlite3', 'sharp'], message: 'src/shared must run in the renderer too: no Node or Electron imports.' }
  ]
}

export default tseslint.config(
  { ignores: ['.trainer-env/**', '.tmp/**', 'out/**', 'node_modules/**', 'test-artifacts/**', 'bench-results/**', 'resources/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', rendererBoundary] }
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', sharedBoundary] }
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
