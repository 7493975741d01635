// TensorFlow.js backend selection at run time. Methods call initTf() and use the returned module; the
// harness records the active backend with every run, because float results differ across backends.
//
// Order: tfjs-node-gpu, tfjs-node (native TensorFlow, optional, not dependencies of Cajal), then WebGPU
// (@tensorflow/tfjs-backend-webgpu on the `webgpu` package, Dawn; optional, installed on GPU machines: README,
// "Methods that need a GPU"), then the WebAssembly backend (a dependency; single-threaded in Node, deterministic),
// then the pure-JS cpu backend. WebGPU is tried only where an NVIDIA device node exists: elsewhere Dawn finds no
// adapter anyway, and its failed probe prints Vulkan warnings. CAJAL_TF_BACKEND=tensorflow|webgpu|wasm|cpu forces
// one and fails loudly when it is unavailable (webgpu: no package, or no adapter).

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

type Tf = typeof import("@tensorflow/tfjs");

// tfjs and its wasm backend are CommonJS packages. `require` loads them as such; an ESM `import` first has Node scan
// them and every package they re-export (tfjs-core, -layers, -converter, …) for export names, about 0.5 s of CPU in
// every process and test file that loads them. Both ways share one module cache, so there is one tfjs either way.
const require = createRequire(import.meta.url);
const tfjs = require("@tensorflow/tfjs") as Tf;

export interface TfHandle {
  tf: Tf;
  /** What tf.getBackend() reports: "tensorflow", "webgpu", "wasm" or "cpu". */
  backend: string;
  /** The WebGPU adapter (vendor, architecture, device) when the backend is webgpu: the hardware it computed on. */
  adapter?: string;
}

export const TF_BACKENDS = ["tensorflow", "webgpu", "wasm", "cpu"] as const;
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

/** Where an NVIDIA driver exposes a device (the only place a WebGPU adapter is worth probing for). */
export function nvidiaDevicePresent(exists: (p: string) => boolean = existsSync): boolean {
  return exists("/dev/nvidiactl") || exists("/dev/nvidia0");
}

/** The backends to try, in order: the forced one alone, else every backend, webgpu only with an NVIDIA device. */
export function backendOrder(forced: string | undefined, nvidia: boolean): TfBackendChoice[] {
  if (forced) {
    if (!(TF_BACKENDS as readonly string[]).includes(forced)) {
      throw new Error(`CAJAL_TF_BACKEND must be one of ${TF_BACKENDS.join(", ")}, got "${forced}"`);
    }
    return [forced as TfBackendChoice];
  }
  return TF_BACKENDS.filter((b) => b !== "webgpu" || nvidia);
}

async function selectBackend(): Promise<TfHandle> {
  const order = backendOrder(process.env.CAJAL_TF_BACKEND?.trim() || undefined, nvidiaDevicePresent());
  const failures: string[] = [];
  for (const choice of order) {
    try {
      const tf = await activate(choice);
      // Prod mode silences tfjs's console advice (e.g. "install tfjs-node") and skips debug checks.
      tf.enableProdMode();
      return { tf, backend: tf.getBackend(), ...(choice === "webgpu" && webgpuAdapter ? { adapter: webgpuAdapter } : {}) };
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
    case "webgpu":
      return activateWebgpu();
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

let webgpuAdapter: string | undefined;

interface WebgpuPackage {
  create(flags: string[]): {
    requestAdapter(options?: { powerPreference?: string }): Promise<{
      info?: { vendor?: string; architecture?: string; device?: string; description?: string };
    } | null>;
  };
  globals: Record<string, unknown>;
}

/**
 * WebGPU through Dawn (the `webgpu` package): only when Dawn finds an adapter. tfjs-backend-webgpu registers itself
 * on import when `navigator.gpu` exists, so the adapter's GPU is installed as navigator.gpu (with the GPU* constants
 * as globals) before the backend is imported.
 */
async function activateWebgpu(): Promise<Tf> {
  let webgpu: WebgpuPackage;
  try {
    const specifier: string = "webgpu";
    webgpu = (await import(/* @vite-ignore */ specifier)) as WebgpuPackage;
  } catch (error) {
    throw new Error(
      `the optional packages are not installed (npm install --no-save webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0): ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("Dawn found no WebGPU adapter (it needs Vulkan: libvulkan.so.1 and the NVIDIA Vulkan driver)");
  const info = adapter.info ?? {};
  webgpuAdapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") || "unknown adapter";
  Object.assign(globalThis, webgpu.globals);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  const backend: string = "@tensorflow/tfjs-backend-webgpu";
  await import(/* @vite-ignore */ backend);
  if (!(await tfjs.setBackend("webgpu"))) throw new Error("setBackend('webgpu') failed");
  await tfjs.ready();
  return tfjs;
}

async function activateWasm(): Promise<Tf> {
  const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
  // In Node the .wasm binaries are read from disk; point the loader at the package's dist folder.
  const entry = require.resolve("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(`${path.dirname(entry)}${path.sep}`);
  if (!(await tfjs.setBackend("wasm"))) throw new Error("setBackend('wasm') failed");
  await tfjs.ready();
  return tfjs;
}
