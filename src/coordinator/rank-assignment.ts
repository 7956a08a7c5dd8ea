/**
 * The plan's rank assignment for workers that joined from several hosts.
 *
 * A ring is only as fast as its slowest link, and links between processes of
 * one host are far faster than links between hosts, so workers of one host
 * get consecutive ranks: the ring then crosses between hosts once per host
 * rather than up to once per worker. Workers launched with a fixed rank
 * (`--rank`, `RANK`, `SLURM_PROCID`, ...) keep it; the others fill the free
 * ranks in order: hosts in the order their first worker joined, and within a
 * host by local rank, then pid.
 */

export interface Joiner {
  /** the rank it was launched with, or null */
  requestedRank: number | null;
  /** workers with equal keys run on one host (the IP of their data-plane address) */
  hostKey: string;
  localRank: number | null;
  pid: number;
}

/** Host of a `tcp://host:port` data address (the whole address for ipc/inproc). */
export function hostKeyOf(dataAddress: string): string {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:[\]]+):\d+$/.exec(dataAddress);
  return m === null ? dataAddress : (m[1] as string);
}

/**
 * Returns the rank of each joiner (same order as `joiners`, which is the
 * join order). Requested ranks must already be distinct and below
 * `joiners.length` (the coordinator refuses others at hello).
 */
export function assignRanks(joiners: readonly Joiner[]): number[] {
  const n = joiners.length;
  const ranks = new Array<number>(n).fill(-1);
  const taken = new Set<number>();
  joiners.forEach((j, i) => {
    if (j.requestedRank !== null) {
      ranks[i] = j.requestedRank;
      taken.add(j.requestedRank);
    }
  });
  const hostOrder = new Map<string, number>();
  joiners.forEach((j) => {
    if (!hostOrder.has(j.hostKey)) hostOrder.set(j.hostKey, hostOrder.size);
  });
  const free = joiners
    .map((j, i) => ({ j, i }))
    .filter(({ j }) => j.requestedRank === null)
    .sort(
      (a, b) =>
        (hostOrder.get(a.j.hostKey) as number) - (hostOrder.get(b.j.hostKey) as number) ||
        (a.j.localRank ?? Number.MAX_SAFE_INTEGER) - (b.j.localRank ?? Number.MAX_SAFE_INTEGER) ||
        a.j.pid - b.j.pid ||
        a.i - b.i,
    );
  let next = 0;
  for (const { i } of free) {
    while (taken.has(next)) next++;
    ranks[i] = next;
    taken.add(next);
  }
  return ranks;
}
