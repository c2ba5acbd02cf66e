import { defineConfig } from 'drizzle-kit';

// One schema, one migration history for both drivers (postgres.js and PGlite).
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/schema.ts',
  out: './server/db/migrations',
});
