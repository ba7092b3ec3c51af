import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'domain', include: ['domain/**/*.test.ts'] } },
      {
        test: {
          name: 'server',
          include: ['server/**/*.test.ts'],
          // Scale timings (bulk data, minutes) run on request only: DUTY_SCALE=1 npx vitest run …/scale.test.ts
          exclude: [
            ...configDefaults.exclude,
            ...(process.env.DUTY_SCALE ? [] : ['server/src/modules/duty/scale.test.ts']),
          ],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['web/e2e/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
