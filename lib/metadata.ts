// Every page's <title>, description and OpenGraph card (server only), from the same database as the page. Titles are
// stable (names, not scores, so a shared link's card does not change with every run); the layout's template appends
// " · Cajal". An unknown id gets a "not found" title; a database failure falls back to the id (the page explains it).
import type { Metadata } from "next";
import { database } from "./data.ts";

if (typeof window !== "undefined") throw new Error("lib/metadata.ts is server-only");

export const SITE_NAME = "Cajal";
export const SITE_DESCRIPTION =
  "An open benchmark for interpretability methods on biological and artificial neural networks, scored against ground truth.";

/** Title (before the layout's template), description and the OpenGraph card with the same words. */
export function pageMetadata(title: string, description: string): Metadata {
  return {
    title,
    description,
    openGraph: { title: `${title} · ${SITE_NAME}`, description, type: "website", siteName: SITE_NAME },
  };
}

const notFoundMetadata = (what: string) => pageMetadata(`${what} not found`, `There is no such ${what.toLowerCase()} on ${SITE_NAME}.`);

async function orFallback(fn: () => Promise<Metadata>, fallback: Metadata): Promise<Metadata> {
  try {
    return await fn();
  } catch {
    return fallback;
  }
}

export function taskMetadata(taskId: string): Promise<Metadata> {
  return orFallback(
    async () => {
      const task = await database().task.findUnique({ where: { id: taskId }, select: { title: true, question: true } });
      if (!task) return notFoundMetadata("Task");
      return pageMetadata(
        `${task.title} leaderboard`,
        `${task.question} Methods ranked on the official split of every dataset, against ground truth, with paired significance.`,
      );
    },
    pageMetadata(`${taskId} leaderboard`, SITE_DESCRIPTION),
  );
}

export function datasetMetadata(taskId: string, slug: string): Promise<Metadata> {
  return orFallback(
    async () => {
      const dataset = await database().dataset.findUnique({
        where: { taskId_slug: { taskId, slug } },
        select: { title: true, description: true, domain: true, task: { select: { title: true } } },
      });
      if (!dataset) return notFoundMetadata("Dataset");
      return pageMetadata(
        `${dataset.title} · ${dataset.task.title}`,
        `${dataset.description} A ${dataset.domain} dataset of the ${dataset.task.title} task: its card, data and leaderboard.`,
      );
    },
    pageMetadata(`${slug} · ${taskId}`, SITE_DESCRIPTION),
  );
}

export function methodMetadata(methodId: string): Promise<Metadata> {
  return orFallback(
    async () => {
      const method = await database().method.findUnique({ where: { id: methodId }, select: { name: true, description: true } });
      if (!method) return notFoundMetadata("Method");
      return pageMetadata(`${method.name} (method)`, `${method.description} Its scores on every task and dataset, versions and runtime.`);
    },
    pageMetadata(`${methodId} (method)`, SITE_DESCRIPTION),
  );
}

export function runMetadata(runId: string): Promise<Metadata> {
  return orFallback(
    async () => {
      const id = /^\d{1,9}$/.test(runId) ? Number(runId) : 0;
      const run =
        id > 0
          ? await database().run.findUnique({
              where: { id },
              select: {
                split: true,
                methodVersion: { select: { version: true, method: { select: { name: true } } } },
                taskVersion: { select: { task: { select: { title: true } } } },
                datasetVersion: { select: { dataset: { select: { title: true } } } },
              },
            })
          : null;
      if (!run) return notFoundMetadata("Run");
      const method = `${run.methodVersion.method.name} ${run.methodVersion.version}`;
      return pageMetadata(
        `Run ${runId}: ${run.methodVersion.method.name} on ${run.datasetVersion.dataset.title}`,
        `${method} on ${run.datasetVersion.dataset.title} (${run.taskVersion.task.title}, ${run.split} split): score, per-instance results and provenance.`,
      );
    },
    pageMetadata(`Run ${runId}`, SITE_DESCRIPTION),
  );
}

export function submissionMetadata(submissionId: string): Promise<Metadata> {
  return orFallback(
    async () => {
      const id = /^\d{1,9}$/.test(submissionId) ? Number(submissionId) : 0;
      const submission =
        id > 0 ? await database().submission.findUnique({ where: { id }, select: { methodId: true, version: true } }) : null;
      if (!submission) return notFoundMetadata("Submission");
      return pageMetadata(
        `Submission ${submissionId}: ${submission.methodId} ${submission.version}`,
        `Status of submission ${submissionId} (${submission.methodId} ${submission.version}): its runs on every split and their scores.`,
      );
    },
    pageMetadata(`Submission ${submissionId}`, SITE_DESCRIPTION),
  );
}
