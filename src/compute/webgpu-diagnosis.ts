/**
 * Why Dawn found no GPU adapter, in words a user can act on.
 *
 * Dawn (dawn.node) reaches the GPU through Vulkan on Linux: the loader
 * `libvulkan.so.1` (Debian: libvulkan1) and one driver per GPU vendor,
 * registered by an ICD manifest (a JSON file under `icd.d/`). Dawn writes its
 * own reason to stderr only, so this module looks at the same two things from
 * outside. Measured on our CPU-only machines: without libvulkan1 Dawn cannot
 * load Vulkan at all; with it and Mesa's lavapipe (the CPU Vulkan driver of
 * mesa-vulkan-drivers) Dawn rejects the device, because lavapipe lacks
 * `shaderUniform*ArrayDynamicIndexing`, a feature Dawn requires.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The standard ICD manifest folders of the Vulkan loader on Linux, in its search order. */
const ICD_DIRS = ["/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/usr/share/vulkan/icd.d"];

/** True when the dynamic linker can load the Vulkan loader library. */
export function vulkanLoaderPresent(): boolean {
  try {
    // process.dlopen loads any shared object; a library that is not a Node addon then fails
    // with "did not self-register", which proves it was found and loaded.
    process.dlopen({ exports: {} }, "libvulkan.so.1");
    return true;
  } catch (e) {
    return !/cannot open shared object file|No such file/i.test(e instanceof Error ? e.message : String(e));
  }
}

/** The Vulkan driver manifests the loader would read: VK_DRIVER_FILES / VK_ICD_FILENAMES when set, else the standard folders. */
export function vulkanDriverManifests(env: Readonly<Record<string, string | undefined>>): string[] {
  const override = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  if (override !== undefined && override !== "") return override.split(":").filter((p) => p !== "");
  const found: string[] = [];
  for (const dir of ICD_DIRS) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith(".json")) found.push(join(dir, f));
  }
  return found;
}

/** True when a manifest is Mesa's lavapipe (the CPU Vulkan driver). */
function isLavapipe(manifest: string): boolean {
  return /lvp_icd/.test(manifest);
}

/** A sentence saying why no adapter was found and what would give one. */
export function explainNoAdapter(env: Readonly<Record<string, string | undefined>>, loaderPresent = vulkanLoaderPresent()): string {
  if (!loaderPresent) {
    return "the Vulkan loader libvulkan.so.1 is not installed, so Dawn sees no GPU (Debian/Ubuntu: apt-get install libvulkan1; it also needs the GPU's Vulkan driver)";
  }
  const manifests = vulkanDriverManifests(env);
  if (manifests.length === 0) {
    return (
      "libvulkan.so.1 is installed but no Vulkan driver is registered (no ICD manifest in " +
      `${ICD_DIRS.join(", ")} or VK_DRIVER_FILES): install the GPU's Vulkan driver (NVIDIA: the driver's nvidia_icd.json, e.g. Debian's nvidia-vulkan-icd)`
    );
  }
  if (manifests.every(isLavapipe)) {
    return (
      `the only Vulkan driver is Mesa's lavapipe (CPU, ${manifests.join(", ")}), which lacks shaderUniform*ArrayDynamicIndexing, ` +
      "a feature Dawn requires: WebGPU needs a real GPU and its Vulkan driver"
    );
  }
  return `Dawn rejected every device of the Vulkan drivers ${manifests.join(", ")} (Dawn printed its reason on stderr above)`;
}
