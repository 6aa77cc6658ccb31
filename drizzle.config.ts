import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // One file per area (schema.ts, schema-reviews.ts, …) so work on different areas does not collide.
  schema: './src/store/schema*.ts',
  out: './drizzle',
});
