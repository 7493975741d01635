// Prisma CLI configuration (Prisma 7). The URL is only needed by `prisma migrate` for users who are
// online; Cajal applies the same migrations offline with harness/db/migrate.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:54329/cajal" },
});
