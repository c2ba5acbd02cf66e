import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

/**
 * One `vitest run` covers everything: crypto, server and scripts units, extension units on WXT's fake
 * browser, the server integration suite on PGlite and (when DATABASE_URL is set) on PostgreSQL,
 * and the end-to-end specs against the built extension in Chromium.
 */
const databaseUrl = process.env.DATABASE_URL ?? '';

/**
 * The machine has two cores and most files wait on a database, a child process or a socket as much as
 * they compute: every project but the browser specs runs two files at a time (the server suites took
 * 370 s one at a time and 239 s two at a time, the extension's about 600 s and 258 s). The specs run after
 * them, one at a time and alone, so a browser never shares the cores with another file.
 */
const together = { maxWorkers: 2, sequence: { groupOrder: 0 } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'crypto',
          ...together,
          include: ['shared-crypto/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'scripts',
          ...together,
          include: ['scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'server-pglite',
          ...together,
          include: ['server/**/*.test.ts'],
          environment: 'node',
          env: { DATABASE_URL: '' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(databaseUrl
        ? [
            {
              test: {
                name: 'server-postgres',
                ...together,
                include: ['server/**/*.test.ts'],
                environment: 'node',
                env: { DATABASE_URL: databaseUrl },
                testTimeout: 30_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
      {
        plugins: [WxtVitest()],
        test: {
          name: 'extension',
          ...together,
          include: ['extension/**/*.test.ts', 'extension/**/*.test.tsx'],
          // WXT's fake browser first (the plugin's own setup, which a project's setupFiles replace); no IndexedDB in Node: DPoP keys in memory.
          setupFiles: [
            'virtual:wxt-setup',
            'extension/test-support/dpop-store.ts',
            'extension/test-support/indexeddb.ts',
            'extension/test-support/i18n.ts',
          ],
          testTimeout: 30_000,
          // Suites that start an in-process server (PGlite) need more than 10 s on a busy 2-core machine.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.spec.ts'],
          environment: 'node',
          setupFiles: ['e2e/support/extension-modules.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
