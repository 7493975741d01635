// TensorFlow.js backend selection at run time. Methods call initTf() and use the returned module; the
// harness records the active backend with every run, because float results differ across backends.
//
// Order: tfjs-node-gpu, tfjs-node (native TensorFlow, optional, not dependencies of Cajal), then the
// WebAssembly backend (a dependency; single-threaded in Node, deterministic), then the pure-JS cpu
// backend. CAJAL_TF_BACKEND=tensorflow|wasm|cpu forces one and fails loudly when it is unavailable.

import { createRequire } from "node:module";
import path from "node:path";
import * as tfjs from "@tensorflow/tfjs";

type Tf = typeof import("@tensorflow/tfjs");

export interface TfHandle {
  tf: Tf;
  /** What tf.getBackend() reports: "tensorflow", "wasm" or "cpu". */
  backend: string;
}

export const TF_BACKENDS = ["tensorflow", "wasm", "cpu"] as const;
export type TfBackendChoice = (typeof TF_BACKENDS)[number];

let pending: Promise<TfHandle> | null = null;

/** Memoized: the first call chooses the backend for the whole process. */
export function initTf(): Promise<TfHandle> {
  pending ??= selectBackend().catch((error: unknown) => {
    pending = null; // let a later call retry (e.g. after fixing the environment)
    throw error;
  });
  return pending;
}

async function selectBackend(): Promise<TfHandle> {
  const forced = process.env.CAJAL_TF_BACKEND?.trim();
  if (forced && !(TF_BACKENDS as readonly string[]).includes(forced)) {
    throw new Error(`CAJAL_TF_BACKEND must be one of ${TF_BACKENDS.join(", ")}, got "${forced}"`);
  }
  const order: TfBackendChoice[] = forced ? [forced as TfBackendChoice] : [...TF_BACKENDS];
  const failures: string[] = [];
  for (const choice of order) {
    try {
      const tf = await activate(choice);
      // Prod mode silences tfjs's console advice (e.g. "install tfjs-node") and skips debug checks.
      tf.enableProdMode();
      return { tf, backend: tf.getBackend() };
    } catch (error) {
      failures.push(`${choice}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be activated (${failures.join("; ")})`);
}

async function activate(choice: TfBackendChoice): Promise<Tf> {
  switch (choice) {
    case "tensorflow":
      return activateNative();
    case "wasm":
      return activateWasm();
    case "cpu":
      if (!(await tfjs.setBackend("cpu"))) throw new Error("setBackend('cpu') failed");
      return tfjs;
  }
}

/** The native bindings, GPU build first. They re-export tfjs, so their module is the tf to use. */
async function activateNative(): Promise<Tf> {
  const errors: string[] = [];
  for (const name of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      // A computed specifier keeps tsc and bundlers from resolving these optional packages.
      const specifier: string = name;
      const mod = (await import(/* @vite-ignore */ specifier)) as Tf & { default?: Tf };
      const tf = (mod.default ?? mod) as Tf;
      if (!(await tf.setBackend("tensorflow"))) throw new Error("setBackend('tensorflow') failed");
      return tf;
    } catch (error) {
      errors.push(`${name} ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  throw new Error(errors.join("; "));
}

async function activateWasm(): Promise<Tf> {
  type WasmModule = typeof import("@tensorflow/tfjs-backend-wasm");
  const imported = (await import("@tensorflow/tfjs-backend-wasm")) as Partial<WasmModule> & { default?: WasmModule };
  // A CommonJS package: depending on the loader its exports are named or sit under `default`.
  const wasm = typeof imported.setWasmPaths === "function" ? (imported as WasmModule) : imported.default;
  if (!wasm) throw new Error("@tensorflow/tfjs-backend-wasm has no setWasmPaths export");
  // In Node the .wasm binaries are read from disk; point the loader at the package's dist folder.
  const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(`${path.dirname(entry)}${path.sep}`);
  if (!(await tfjs.setBackend("wasm"))) throw new Error("setBackend('wasm') failed");
  await tfjs.ready();
  return tfjs;
}
