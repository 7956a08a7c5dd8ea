/**
 * Which GPU adapter a worker asks Dawn for, and how the run summary names it.
 *
 * Dawn (the `webgpu` npm package, dawn.node) takes options as strings in
 * `create([...])`. The one that chooses a GPU is `adapter=NAME`: Dawn keeps
 * the first adapter whose name contains NAME (case-sensitive), and when none
 * does it rejects `requestAdapter()` with the list of adapters it found
 * (` * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'`). There is no option to
 * choose by index or PCI bus, and Vulkan ignores `CUDA_VISIBLE_DEVICES`, so:
 *
 * - `RINGTRAIN_WEBGPU_ADAPTER=NAME` in a worker's environment is passed on as
 *   `adapter=NAME` (the user's explicit choice);
 * - otherwise a worker whose launcher gave it one CUDA device id k (one GPU per
 *   local worker, gpu-assignment.ts) takes the k-th adapter of Dawn's list, by
 *   its name, when that name picks it alone — Vulkan, like CUDA, lists NVIDIA
 *   GPUs in PCI order;
 * - GPUs with identical names (the usual multi-GPU node) cannot be told apart
 *   through Dawn: every local worker then gets Dawn's default adapter, and the
 *   device description says so.
 */

/** What GPUAdapterInfo reports (all strings may be empty). */
export interface AdapterInfoFields {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** One entry of the adapter list that Dawn prints when `adapter=NAME` matches nothing. */
export interface ListedAdapter {
  backend: string;
  name: string;
}

/** The `adapter=` value that matches no real adapter, so that Dawn answers with its list. */
export const LIST_ADAPTERS_PROBE = "\u0001ringtrain-list-adapters";

/** Parses Dawn's "Available adapters:" list out of a rejected `requestAdapter()` message. */
export function parseAdapterList(message: string): ListedAdapter[] {
  const adapters: ListedAdapter[] = [];
  for (const line of message.split("\n")) {
    const m = /^\s*\* backend: '([^']*)', name: '(.*)'\s*$/.exec(line);
    if (m !== null) adapters.push({ backend: m[1] ?? "", name: m[2] ?? "" });
  }
  return adapters;
}

/** A `CUDA_VISIBLE_DEVICES` that names exactly one device by index (as the local launcher sets it), else undefined. */
export function singleDeviceIndex(cudaVisibleDevices: string | undefined): number | undefined {
  if (cudaVisibleDevices === undefined) return undefined;
  const trimmed = cudaVisibleDevices.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** How this worker chooses its adapter: the Dawn options and a note for the run summary. */
export interface AdapterChoice {
  /** Dawn `create()` options: empty, or one `adapter=NAME` */
  dawnOptions: string[];
  /** why this adapter: shown in the worker's device description */
  note: string;
}

/** RINGTRAIN_WEBGPU_ADAPTER when set and not empty: the user's choice, which needs no list. */
function explicitAdapter(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const explicit = env.RINGTRAIN_WEBGPU_ADAPTER;
  return explicit === undefined || explicit === "" ? undefined : explicit;
}

/** The device id whose adapter Dawn's list must find: undefined when the user chose by name or the launcher gave no single device. */
function listedIndex(env: Readonly<Record<string, string | undefined>>): number | undefined {
  return explicitAdapter(env) === undefined ? singleDeviceIndex(env.CUDA_VISIBLE_DEVICES) : undefined;
}

/** Whether {@link chooseAdapter} uses Dawn's adapter list for this environment (asking Dawn for it costs a request). */
export function needsAdapterList(env: Readonly<Record<string, string | undefined>>): boolean {
  return listedIndex(env) !== undefined;
}

/**
 * Chooses the adapter for a worker from its environment and, when
 * {@link needsAdapterList} says so, Dawn's adapter list (`listed`; undefined
 * when it was not asked for).
 */
export function chooseAdapter(env: Readonly<Record<string, string | undefined>>, listed: readonly ListedAdapter[] | undefined): AdapterChoice {
  const explicit = explicitAdapter(env);
  if (explicit !== undefined) return { dawnOptions: [`adapter=${explicit}`], note: `chosen by RINGTRAIN_WEBGPU_ADAPTER=${explicit}` };
  const index = listedIndex(env);
  if (index === undefined || listed === undefined) return { dawnOptions: [], note: "Dawn's default adapter" };
  const gpus = listed.filter((a) => a.backend !== "null");
  const target = gpus[index];
  if (target === undefined) {
    return { dawnOptions: [], note: `Dawn's default adapter: device ${index} asked for, Dawn lists ${gpus.length}` };
  }
  // Dawn keeps the first adapter whose name contains the option: usable only when no other adapter's name contains it
  const ambiguous = gpus.some((a, i) => i !== index && a.name.includes(target.name));
  if (ambiguous) {
    return {
      dawnOptions: [],
      note: `Dawn's default adapter: device ${index} asked for, but Dawn cannot choose among ${gpus.length} adapters named alike, so local workers share one`,
    };
  }
  return { dawnOptions: [`adapter=${target.name}`], note: `adapter ${index} of ${gpus.length}, for CUDA_VISIBLE_DEVICES=${index}` };
}

/** "NVIDIA H100 80GB HBM3 (vendor nvidia, architecture hopper; ...)" from the adapter's info. */
export function describeAdapter(info: AdapterInfoFields): string {
  const device = info.device || info.description || "unnamed adapter";
  const details = [
    info.vendor && `vendor ${info.vendor}`,
    info.architecture && `architecture ${info.architecture}`,
    info.description && info.description !== device && info.description,
  ].filter((s): s is string => typeof s === "string" && s !== "");
  return details.length > 0 ? `${device} (${details.join(", ")})` : device;
}
