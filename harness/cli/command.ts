// One command of `npx cajal`: its usage, its own options (nothing else is accepted) and what it does. Parsing is
// node:util's parseArgs in strict mode; an option of another command, or of none, is a usage error that names the
// option and lists this command's options.
import { parseArgs } from "node:util";
import { UsageError } from "../usage-error.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  /** May repeat (--method pca --method fastica); the value is then an array. */
  multiple?: boolean;
  short?: string;
  /** Placeholder of the value in the help, e.g. "T" or "dev|official". */
  value?: string;
  help: string;
}

type OptionValue<S extends OptionSpec> = S["type"] extends "boolean"
  ? boolean | undefined
  : S["multiple"] extends true
    ? string[] | undefined
    : string | undefined;
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]: OptionValue<O[K]> };

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** The words that select it: "run", "datasets build". */
  name: string;
  /** One line for `cajal --help`. */
  summary: string;
  /** Usage lines, each after "cajal ". */
  usage: string[];
  /** What it does, for `cajal <command> --help` (optional paragraphs). */
  details?: string;
  options: O;
  /** Positional arguments: how many at most (default none). */
  maxPositionals?: number;
  /** What exit codes 0 and 1 mean for this command, when more than "done" and "failed (one line says why)". */
  exitCodes?: { ok?: string; failed?: string };
  run(input: { values: OptionValues<O>; positionals: string[] }): Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  optionNames(): string[];
  help(): string;
  /** Parse argv (everything after the command's words) and run; usage errors throw UsageError. */
  invoke(argv: string[], ownersOf: (flag: string) => string[]): Promise<number>;
}

const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", help: "show this help" };

/** "--task T…" (… : may repeat), "--json". */
function flagOf(name: string, spec: OptionSpec): string {
  return `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}${spec.multiple ? "…" : ""}` : ""}`;
}

export function defineCommand<const O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): Command {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP_OPTION };
  const optionList = () =>
    Object.entries(options)
      .map(([name, o]) => flagOf(name, o))
      .join(", ");
  const help = () => {
    const lines = spec.usage.map((u, i) => `${i === 0 ? "usage: " : "       "}cajal ${u}`);
    lines.push("", spec.summary);
    if (spec.details) lines.push("", spec.details);
    lines.push("", "options:");
    const width = Math.max(...Object.entries(options).map(([n, o]) => flagOf(n, o).length + (o.short ? 4 : 0)));
    for (const [name, o] of Object.entries(options)) {
      const flag = `${o.short ? `-${o.short}, ` : ""}${flagOf(name, o)}`;
      lines.push(`  ${flag.padEnd(width + 2)}${o.help}`);
    }
    const ok = spec.exitCodes?.ok ?? "done";
    const failed = spec.exitCodes?.failed ?? "failed (one line says why)";
    lines.push("", `exit codes: 0 ${ok}; 1 ${failed}; 2 usage error (unknown name, option or value)`);
    return lines.join("\n");
  };
  const usageError = (message: string) =>
    new UsageError(`${message}\noptions of \`cajal ${spec.name}\`: ${optionList()}\n(\`cajal ${spec.name} --help\` describes them)`);

  return {
    name: spec.name,
    summary: spec.summary,
    optionNames: () => Object.keys(spec.options),
    help,
    async invoke(argv, ownersOf) {
      // parseArgs takes only its own keys of each option.
      const parseOptions = Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
        ]),
      );
      // First pass, lenient: find options this command does not have, to name them and where they belong.
      const { tokens } = parseArgs({ args: argv, options: parseOptions, allowPositionals: true, strict: false, tokens: true });
      for (const token of tokens) {
        if (token.kind !== "option" || Object.hasOwn(options, token.name)) continue;
        const owners = ownersOf(token.name).map((c) => `\`cajal ${c}\``);
        throw usageError(
          owners.length
            ? `${token.rawName} is not an option of \`cajal ${spec.name}\` (it belongs to ${owners.join(", ")})`
            : `unknown option ${token.rawName} for \`cajal ${spec.name}\``,
        );
      }
      let parsed: { values: Record<string, unknown>; positionals: string[] };
      try {
        parsed = parseArgs({ args: argv, options: parseOptions, allowPositionals: true, strict: true });
      } catch (error) {
        // A string option without its value, or a value given to a flag.
        throw usageError(`\`cajal ${spec.name}\`: ${(error as Error).message}`);
      }
      if (parsed.values.help) {
        process.stdout.write(`${help()}\n`);
        return 0;
      }
      const max = spec.maxPositionals ?? 0;
      if (parsed.positionals.length > max) {
        const extra = parsed.positionals.slice(max).map((p) => JSON.stringify(p));
        throw usageError(
          `\`cajal ${spec.name}\` does not take ${extra.join(" ")}; usage: ${spec.usage.map((u) => `cajal ${u}`).join(" | ")}`,
        );
      }
      // parseArgs returned exactly the shapes `options` declares (string, string[] or boolean per option).
      return spec.run({ values: parsed.values as OptionValues<O>, positionals: parsed.positionals });
    },
  };
}

/** Commands reached through a word (`datasets build`, `tokens create`): the group lists them. */
export interface CommandGroup {
  name: string;
  summary: string;
  commands: Command[];
}
