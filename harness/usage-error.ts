// A mistake in what the user asked for (an unknown name, option or value): the CLI prints its message and exits 2.
// Its own module, so that a command can throw it without loading the registries (and every task, method and dataset).
export class UsageError extends Error {
  override name = "UsageError";
}
