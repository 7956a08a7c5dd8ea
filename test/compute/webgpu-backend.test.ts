import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/compute/backend.js";
import { chooseAdapter, describeAdapter, LIST_ADAPTERS_PROBE, needsAdapterList, parseAdapterList } from "../../src/compute/webgpu-adapter.js";
import { loadWebGpu } from "../../src/compute/webgpu-backend.js";
import { explainNoAdapter, vulkanLoaderPresent } from "../../src/compute/webgpu-diagnosis.js";
import { isRingtrainError } from "../../src/core/errors.js";
import { runCli } from "../helpers/cli.js";
import { nativeInstalled } from "../helpers/installed.js";

/** Whether real Dawn finds an adapter on this machine (these CPU machines: never; a GPU host: yes). */
const probe = await loadWebGpu();

// Dawn's own message when an `adapter=` name matches nothing (dawn.node, webgpu 0.6).
const DAWN_LISTING =
  "no adapter with backend 'vulkan' and name 'x' found\nAvailable adapters:\n * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'\n * backend: 'vulkan', name: 'NVIDIA A100-SXM4-40GB'";

describe("webgpu adapter choice", () => {
  it("parses the adapter list Dawn prints", () => {
    expect(parseAdapterList(DAWN_LISTING)).toEqual([
      { backend: "vulkan", name: "NVIDIA H100 80GB HBM3" },
      { backend: "vulkan", name: "NVIDIA A100-SXM4-40GB" },
    ]);
    expect(parseAdapterList("no suitable backends found")).toEqual([]);
    expect(LIST_ADAPTERS_PROBE).not.toMatch(/[A-Za-z0-9 ]{20}/);
  });

  it("RINGTRAIN_WEBGPU_ADAPTER is passed to Dawn as adapter=NAME", () => {
    expect(chooseAdapter({ RINGTRAIN_WEBGPU_ADAPTER: "A100", CUDA_VISIBLE_DEVICES: "0" }, undefined).dawnOptions).toEqual(["adapter=A100"]);
  });

  it("the launcher's device id picks that adapter of Dawn's list by name, when the name picks it alone", () => {
    const listed = parseAdapterList(DAWN_LISTING);
    expect(chooseAdapter({ CUDA_VISIBLE_DEVICES: "1" }, listed).dawnOptions).toEqual(["adapter=NVIDIA A100-SXM4-40GB"]);
    expect(chooseAdapter({ CUDA_VISIBLE_DEVICES: "0" }, listed).dawnOptions).toEqual(["adapter=NVIDIA H100 80GB HBM3"]);
  });

  it("identical GPUs cannot be told apart through Dawn: the default adapter, and the note says so", () => {
    const twins = [
      { backend: "vulkan", name: "NVIDIA H100 80GB HBM3" },
      { backend: "vulkan", name: "NVIDIA H100 80GB HBM3" },
    ];
    const choice = chooseAdapter({ CUDA_VISIBLE_DEVICES: "1" }, twins);
    expect(choice.dawnOptions).toEqual([]);
    expect(choice.note).toMatch(/cannot choose among 2 adapters named alike/);
    expect(chooseAdapter({ CUDA_VISIBLE_DEVICES: "3" }, twins).note).toMatch(/device 3 asked for, Dawn lists 2/);
    expect(chooseAdapter({ CUDA_VISIBLE_DEVICES: "0,1" }, twins).dawnOptions).toEqual([]);
    expect(chooseAdapter({}, undefined).note).toBe("Dawn's default adapter");
  });

  it("Dawn's list is asked for only where the choice uses it: one device id and no adapter name", () => {
    expect(needsAdapterList({ CUDA_VISIBLE_DEVICES: "1" })).toBe(true);
    expect(needsAdapterList({ CUDA_VISIBLE_DEVICES: "1", RINGTRAIN_WEBGPU_ADAPTER: "A100" })).toBe(false);
    expect(needsAdapterList({ CUDA_VISIBLE_DEVICES: "1", RINGTRAIN_WEBGPU_ADAPTER: "" })).toBe(true);
    expect(needsAdapterList({ CUDA_VISIBLE_DEVICES: "0,1" })).toBe(false);
    expect(needsAdapterList({})).toBe(false);
  });

  it("describes an adapter by device, vendor and architecture", () => {
    expect(describeAdapter({ vendor: "nvidia", architecture: "hopper", device: "NVIDIA H100", description: "NVIDIA driver 550" }))
      .toBe("NVIDIA H100 (vendor nvidia, architecture hopper, NVIDIA driver 550)");
    expect(describeAdapter({ vendor: "", architecture: "", device: "", description: "" })).toBe("unnamed adapter");
  });
});

/**
 * Whether the dynamic linker would find libvulkan.so.1, seen from outside Node:
 * in `ldconfig -p`'s cache or a folder of LD_LIBRARY_PATH. Undefined where no
 * ldconfig runs.
 */
function linkerFindsVulkan(): boolean | undefined {
  for (const ldconfig of ["ldconfig", "/usr/sbin/ldconfig", "/sbin/ldconfig"]) {
    const r = spawnSync(ldconfig, ["-p"], { encoding: "utf8" });
    if (r.status !== 0) continue;
    const inPath = (process.env.LD_LIBRARY_PATH ?? "").split(":").some((d) => d !== "" && existsSync(join(d, "libvulkan.so.1")));
    return inPath || /^\s*libvulkan\.so\.1 /m.test(r.stdout);
  }
  return undefined;
}
const linkerSeesVulkan = linkerFindsVulkan();

describe("why no adapter", () => {
  const dir = mkdtempSync(join(tmpdir(), "rt-webgpu-icd-"));
  const lvp = join(dir, "lvp_icd.x86_64.json");
  const nvidia = join(dir, "nvidia_icd.json");
  writeFileSync(lvp, "{}");
  writeFileSync(nvidia, "{}");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the missing Vulkan loader, the missing driver, or lavapipe's missing feature", () => {
    expect(explainNoAdapter({}, false)).toMatch(/libvulkan\.so\.1 is not installed.*apt-get install libvulkan1/);
    expect(explainNoAdapter({ VK_DRIVER_FILES: lvp }, true)).toMatch(/only Vulkan driver is Mesa's lavapipe.*shaderUniform\*ArrayDynamicIndexing/);
    expect(explainNoAdapter({ VK_ICD_FILENAMES: `${lvp}:${nvidia}` }, true)).toMatch(/Dawn rejected every device/);
  });

  it.skipIf(linkerSeesVulkan === undefined)("this machine's Vulkan loader is seen as the dynamic linker sees it", () => {
    // libvulkan.so.1 is a real library where installed; a Node addon check must not mistake it for absent
    expect(vulkanLoaderPresent()).toBe(linkerSeesVulkan);
    const missingLoader = /libvulkan\.so\.1 is not installed/;
    if (linkerSeesVulkan) expect(explainNoAdapter(process.env)).not.toMatch(missingLoader);
    else expect(explainNoAdapter(process.env)).toMatch(missingLoader);
  });
});

describe("webgpu backend through real Dawn", () => {
  it.skipIf(probe.ok)("finds no adapter here and says why", () => {
    if (probe.ok) return; // narrows the type: skipped where true
    expect(probe.reason).toBe(explainNoAdapter(process.env));
  });

  it.skipIf(probe.ok)("asking for webgpu by name fails with the reason and what to do", async () => {
    const error = await selectBackend("webgpu").catch((e: unknown) => e);
    expect(isRingtrainError(error) && error.code).toBe("BACKEND_UNAVAILABLE");
    const message = (error as Error).message;
    expect(message).toMatch(/backend 'webgpu' is unavailable: no usable GPU adapter/);
    expect(message).toContain(explainNoAdapter(process.env));
    expect(message).toMatch(/libvulkan1/);
    expect(message).toMatch(/--backend wasm/);
  });

  it.skipIf(probe.ok || nativeInstalled)("auto falls back past webgpu to wasm", async () => {
    const info = await selectBackend("auto");
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });

  it.runIf(probe.ok)("where an adapter exists, webgpu by name activates it and names the adapter", async () => {
    const info = await selectBackend("webgpu");
    expect(info.name).toBe("webgpu");
    expect(tf.getBackend()).toBe("webgpu");
    expect(info.device).toMatch(/on Dawn: .+; /);
  });

  it.skipIf(probe.ok)("a run asking for webgpu ends at once, naming the worker, the reason and the fix", async () => {
    const r = await runCli(["train", "--backend", "webgpu", "--workers", "1", "--epochs", "1", "--train-limit", "128", "--test-limit", "64", "--runs-dir", "/tmp/rt-webgpu-test"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BACKEND_UNAVAILABLE/);
    expect(r.stderr).toMatch(/worker \d \(host .*, pid \d+\) failed during selecting backend/);
    expect(r.stderr).toMatch(/backend 'webgpu' is unavailable: no usable GPU adapter/);
    expect(r.stderr).toMatch(/--backend wasm/);
  });
});
