// `cajal tokens create NAME`: a submission token for one submitter (printed once; the database keeps its sha256).
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";
import { withDb } from "./shared.ts";

export const tokensCreateCommand = defineCommand({
  name: "tokens create",
  summary: "create a submission token (printed once on stdout; only its sha256 is stored)",
  usage: ["tokens create NAME"],
  options: {},
  maxPositionals: 1,
  async run({ positionals }) {
    const { createToken, tokenNameSchema, TokenError } = await import("../service/tokens.ts");
    const name = tokenNameSchema.parse(positionals[0]);
    await withDb(async ({ db }) => {
      try {
        const created = await createToken(db, name);
        process.stderr.write(
          `token "${created.name}" created; it is shown only now (the server keeps its sha256). Give it to the submitter:\n`,
        );
        process.stdout.write(`${created.token}\n`);
      } catch (error) {
        if (error instanceof TokenError) throw new UsageError(error.message);
        throw error;
      }
    });
    return 0;
  },
});
