// A dataset source: one folder datasets/<domain>/<id>/ that feeds one or more task datasets, from a generator
// (synthetic), trained networks (artificial) or a real recording (biological). Its source.ts exports one, built
// with defineSource(), which checks the shape when the module loads, so a wrong entry fails every import of it.
// Only type imports besides zod: a source's hash covers the core it imports (harness/register.ts), so keep it small.
import { z } from "zod";
import type { ArtifactRecipe } from "./artifacts.ts";
import type { RecordingCard } from "./data.ts";
import { type DatasetDefinition, DOMAINS, type Domain } from "./types.ts";

/**
 * What must be present before a source's datasets can be generated:
 * - `generated`: nothing; instances are drawn from the seed (a small network may be trained in-process);
 * - `trained`: its trained networks in the artifact dir (`npx cajal datasets build`);
 * - `recording`: the recording's original files in the data cache (`npx cajal datasets fetch`), read by its load.ts;
 * - `catalogued`: a recording's card only; no loader and no datasets yet.
 */
export const AVAILABILITIES = ["generated", "trained", "recording", "catalogued"] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export interface DatasetSource {
  /** Its folder's name under datasets/<domain>/; a recording's is its card id, its folder's name in the data cache. */
  id: string;
  domain: Domain;
  title: string;
  availability: Availability;
  /** Real recordings: the card (licence, citation, original files with sha256) that `npx cajal datasets fetch` reads. */
  card?: RecordingCard;
  /** The trained networks its datasets read, wherever their recipe lives (seed-twins reads mnist-mlp's). */
  artifacts?: readonly ArtifactRecipe[];
  /** The task datasets it feeds: each slug and version is what results are keyed by. */
  datasets: readonly DatasetDefinition[];
}

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const artifactKey = (r: Pick<ArtifactRecipe, "id" | "version">) => `${r.id}@${r.version}`;

const sourceSchema = z
  .object({
    id: z.string().min(1),
    domain: z.enum(DOMAINS),
    title: z.string().min(1),
    availability: z.enum(AVAILABILITIES),
    card: z.custom<RecordingCard>((v) => typeof v === "object" && v !== null).optional(),
    artifacts: z.array(z.custom<ArtifactRecipe>((v) => typeof v === "object" && v !== null)).optional(),
    datasets: z.array(z.custom<DatasetDefinition>((v) => typeof v === "object" && v !== null)),
  })
  .superRefine((s, ctx) => {
    const issue = (message: string, path: string) => ctx.addIssue({ code: "custom", message, path: [path] });
    const biological = s.domain === "biological";
    if (biological !== (s.card !== undefined)) issue("a source has a recording card exactly when it is biological", "card");
    if (s.card && s.id !== s.card.id) issue(`a recording's source id is its card id "${s.card.id}"`, "id");
    if (!s.card && !kebab.test(s.id)) issue("a generated or trained source's id is kebab-case", "id");
    if (biological !== (s.availability === "recording" || s.availability === "catalogued"))
      issue(`a ${s.domain} source cannot be "${s.availability}"`, "availability");
    // A recording may have a loader before any task uses it (v1_allen_natural_scenes_cux2).
    if (s.availability === "catalogued" && s.datasets.length > 0) issue("a catalogued source has no datasets", "datasets");
    if (!biological && s.datasets.length === 0) issue("a generated or trained source feeds at least one dataset", "datasets");
    const own = new Set((s.artifacts ?? []).map(artifactKey));
    if ((s.availability === "trained") !== own.size > 0) issue('a source lists trained networks exactly when it is "trained"', "artifacts");
    const used = new Set<string>();
    const keys = new Set<string>();
    for (const d of s.datasets) {
      const key = `${d.task}/${d.slug}`;
      if (keys.has(key)) issue(`${key} is listed twice`, "datasets");
      keys.add(key);
      if (d.domain !== s.domain) issue(`${key} is ${d.domain}, its source ${s.domain}`, "datasets");
      for (const r of d.artifacts ?? []) {
        used.add(artifactKey(r));
        if (!own.has(artifactKey(r))) issue(`${key} reads ${artifactKey(r)}, which the source does not list`, "artifacts");
      }
      if (s.card && d.card?.id !== s.card.id) issue(`${key} does not show the source's card`, "datasets");
      if (s.availability === "recording" && !d.unavailable) issue(`${key} reads a recording but has no unavailable()`, "datasets");
    }
    for (const key of own) if (!used.has(key)) issue(`no dataset reads ${key}`, "artifacts");
  });

/** Check a source when its module loads (the definitions themselves are checked by tests/conformance.test.ts). */
export function defineSource(source: DatasetSource): DatasetSource {
  const parsed = sourceSchema.safeParse(source);
  if (!parsed.success) throw new Error(`dataset source ${String(source.id)} is invalid: ${z.prettifyError(parsed.error)}`);
  return source;
}

/** The source's folder, relative to the repository root (posix). */
export function sourceFolder(source: Pick<DatasetSource, "domain" | "id">): string {
  return `datasets/${source.domain}/${source.id}`;
}
