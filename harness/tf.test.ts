// TensorFlow.js backend selection: webgpu is tried only where an NVIDIA device exists (or when forced), so a machine
// without a GPU keeps the wasm backend, quietly; forcing webgpu without an adapter fails loudly.
import { afterEach, describe, expect, it, vi } from "vitest";
import { backendOrder, nvidiaDevicePresent, TF_BACKENDS } from "./tf.ts";

const saved = process.env.CAJAL_TF_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.CAJAL_TF_BACKEND;
  else process.env.CAJAL_TF_BACKEND = saved;
});

describe("backendOrder", () => {
  it("native first, then webgpu only with an NVIDIA device, then wasm and cpu", () => {
    expect(backendOrder(undefined, false)).toEqual(["tensorflow", "wasm", "cpu"]);
    expect(backendOrder(undefined, true)).toEqual(["tensorflow", "webgpu", "wasm", "cpu"]);
  });

  it("CAJAL_TF_BACKEND forces exactly one backend, webgpu included without a device; anything else is refused", () => {
    expect(backendOrder("webgpu", false)).toEqual(["webgpu"]);
    expect(backendOrder("wasm", true)).toEqual(["wasm"]);
    expect(() => backendOrder("cuda", true)).toThrow(`CAJAL_TF_BACKEND must be one of ${TF_BACKENDS.join(", ")}, got "cuda"`);
  });

  it("an NVIDIA device is its control node or its first GPU", () => {
    expect(nvidiaDevicePresent(() => false)).toBe(false);
    expect(nvidiaDevicePresent((p) => p === "/dev/nvidiactl")).toBe(true);
    expect(nvidiaDevicePresent((p) => p === "/dev/nvidia0")).toBe(true);
  });
});

describe("initTf on this machine", () => {
  it.runIf(!nvidiaDevicePresent())("without an NVIDIA device it stays on wasm, with no adapter, and does not probe WebGPU", async () => {
    delete process.env.CAJAL_TF_BACKEND;
    vi.resetModules();
    const { initTf } = await import("./tf.ts");
    const warn = vi.spyOn(process.stderr, "write");
    const t0 = performance.now();
    const handle = await initTf();
    const ms = performance.now() - t0;
    expect(handle.backend).toBe("wasm");
    expect(handle.adapter).toBeUndefined();
    // No Dawn/Vulkan noise: WebGPU was never probed.
    expect(warn.mock.calls.map((c) => String(c[0])).join("")).not.toMatch(/vulkan|dawn/i);
    warn.mockRestore();
    expect(ms).toBeLessThan(5000);
  });

  it.runIf(!nvidiaDevicePresent())("CAJAL_TF_BACKEND=webgpu without a GPU fails loudly instead of falling back", async () => {
    process.env.CAJAL_TF_BACKEND = "webgpu";
    vi.resetModules();
    const { initTf } = await import("./tf.ts");
    await expect(initTf()).rejects.toThrow(
      /no TensorFlow\.js backend could be activated \(webgpu: (the optional packages are not installed|Dawn found no WebGPU adapter)/,
    );
  });
});

describe("denseVariables", () => {
  it("leaves only its two variables registered, and nothing once they are disposed", async () => {
    const { initTf } = await import("./tf.ts");
    const { denseVariables } = await import("./train.ts");
    const { Rng } = await import("./rng.ts");
    const { tf } = await initTf();
    const before = tf.memory().numTensors;
    const layer = denseVariables(tf, new Rng(1), 4, 3, "probe");
    expect(tf.memory().numTensors - before).toBe(2);
    expect(layer.kernel.shape).toEqual([4, 3]);
    layer.kernel.dispose();
    layer.bias.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
