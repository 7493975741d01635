// `cajal db migrate`: apply prisma/migrations to the database (DATABASE_URL, else the embedded one).
import { defineCommand } from "./command.ts";
import { withDb } from "./shared.ts";

export const dbMigrateCommand = defineCommand({
  name: "db migrate",
  summary: "apply prisma/migrations (offline, idempotent, under Prisma's advisory lock)",
  usage: ["db migrate"],
  options: {},
  async run() {
    const { applied, label } = await withDb(async ({ applied, label }) => ({ applied, label }));
    process.stderr.write(applied.length ? `applied ${applied.join(", ")} to ${label}\n` : `migrations are up to date (${label})\n`);
    return 0;
  },
});
