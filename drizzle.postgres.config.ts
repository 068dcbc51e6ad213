import { defineConfig } from "drizzle-kit";

/** The PostgreSQL migrations, from the tables derived from src/store/schema.ts. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema-pg.ts",
  out: "./migrations/postgres",
});
