// `npx cajal`: finds the command, lets it parse its own options, and turns what went wrong into an exit code: usage
// errors exit 2 with a message that lists what exists; database and other failures exit 1 with one actionable line.
// The command modules import only what parsing and help need; each command loads the registries, the database client
// and the rest when it runs, so `cajal --help` or a usage error does not pay for loading every task and method.
import { z } from "zod";
import { UsageError } from "../usage-error.ts";
import type { Command, CommandGroup } from "./command.ts";
import { datasetsBuildCommand, datasetsFetchCommand } from "./datasets.ts";
import { dbMigrateCommand } from "./db.ts";
import { exportCommand } from "./export.ts";
import { listCommand } from "./list.ts";
import { reproduceCommand } from "./reproduce.ts";
import { runCommand } from "./run.ts";
import { serveCommand, startCommand } from "./site.ts";
import { submitCommand } from "./submit.ts";
import { tokensCreateCommand } from "./tokens.ts";
import { workerCommand } from "./worker.ts";

const LOCAL: (Command | CommandGroup)[] = [
  startCommand,
  runCommand,
  listCommand,
  serveCommand,
  { name: "db", summary: "the database", commands: [dbMigrateCommand] },
  exportCommand,
  { name: "datasets", summary: "trained networks and real recordings", commands: [datasetsBuildCommand, datasetsFetchCommand] },
];
const SERVICE: (Command | CommandGroup)[] = [
  submitCommand,
  { name: "tokens", summary: "submission tokens", commands: [tokensCreateCommand] },
  workerCommand,
  reproduceCommand,
];
const ENTRIES = [...LOCAL, ...SERVICE];
const isGroup = (e: Command | CommandGroup): e is CommandGroup => "commands" in e;
const ALL_COMMANDS: Command[] = ENTRIES.flatMap((e) => (isGroup(e) ? e.commands : [e]));

/** Which commands take `--flag`, to say where a misplaced option belongs. */
const ownersOf = (flag: string) => ALL_COMMANDS.filter((c) => c.optionNames().includes(flag)).map((c) => c.name);

function listing(entries: (Command | CommandGroup)[]): string[] {
  const commands = entries.flatMap((e) => (isGroup(e) ? e.commands : [e]));
  const width = Math.max(...commands.map((c) => c.name.length));
  return commands.map((c) => `  cajal ${c.name.padEnd(width)}  ${c.summary}`);
}

export function topHelp(): string {
  return [
    "cajal — the Cajal benchmark harness",
    "",
    "usage: cajal <command> [options]        `cajal <command> --help` shows a command's usage and options",
    "",
    ...listing(LOCAL),
    "",
    'service (README, "Running Cajal as a service"):',
    ...listing(SERVICE),
    "",
    "The database is DATABASE_URL when set, otherwise Cajal's embedded PostgreSQL in .cajal/pg (its own port and",
    "password in .cajal/pg.server.json; CAJAL_DB_PORT overrides the port).",
    "exit codes: 0 done; 1 failed (a run failed, a database or network error: one line says why); 2 usage error",
  ].join("\n");
}

function available(): string {
  return ALL_COMMANDS.map((c) => c.name).join(", ");
}

/** The command named by the first words of argv (one, or two for a group), and the arguments after them. */
function resolve(argv: string[]): { command: Command; rest: string[] } | { help: string } {
  const [first, second] = argv;
  const entry = ENTRIES.find((e) => e.name === first);
  if (!entry) {
    if (first?.startsWith("-")) {
      throw new UsageError(`options come after the command, e.g. \`cajal run ${first}\`; commands: ${available()}`);
    }
    throw new UsageError(`unknown command "${first}"; available: ${available()}`);
  }
  if (!isGroup(entry)) return { command: entry, rest: argv.slice(1) };
  const names = entry.commands.map((c) => c.name).join(", ");
  if (second === undefined || second === "--help" || second === "-h") {
    return {
      help: [`cajal ${entry.name}: ${entry.summary}`, "", ...listing([entry]), "", "`cajal <command> --help` shows its options"].join("\n"),
    };
  }
  const command = entry.commands.find((c) => c.name === `${entry.name} ${second}`);
  if (!command) throw new UsageError(`unknown ${entry.name} command "${second}"; available: ${names}`);
  return { command, rest: argv.slice(2) };
}

export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    process.stderr.write(`${topHelp()}\n`);
    return 2;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    // `cajal help run` is `cajal run --help`.
    if (first === "help" && argv.length > 1) return main([...argv.slice(1), "--help"]);
    process.stdout.write(`${topHelp()}\n`);
    return 0;
  }
  try {
    const found = resolve(argv);
    if ("help" in found) {
      // Asked for (`cajal datasets --help`): stdout, 0; a group without its command (`cajal datasets`): stderr, 2.
      const asked = argv.length > 1;
      (asked ? process.stdout : process.stderr).write(`${found.help}\n`);
      return asked ? 0 : 2;
    }
    return await found.command.invoke(found.rest, ownersOf);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cajal: ${error.message}\n`);
      return 2;
    }
    if (error instanceof z.ZodError) {
      process.stderr.write(`cajal: ${error.issues.map((i) => i.message).join("; ")}\n`);
      return 2;
    }
    const e = error as { code?: string; message?: string };
    const isDb = typeof e?.code === "string" && (/^[0-9A-Z]{5}$/.test(e.code) || e.code.startsWith("E") || e.code.startsWith("P"));
    const message = isDb
      ? (await import("../db/client.ts")).describeDbError(error, process.env.DATABASE_URL)
      : (e?.message ?? String(error));
    process.stderr.write(`cajal: ${message}\n`);
    if (process.env.CAJAL_DEBUG) console.error(error);
    return 1;
  }
}
