/**
 * The points of an experiment's search space, each one a trial: the cartesian
 * product of a grid, or the draws of a seeded random search. Both are pure
 * functions of the experiment, so a resumed sweep finds the same trials in the
 * same order.
 */
import { RingtrainError } from "../core/errors.js";
import { createRng, type Rng } from "../core/random.js";
import type { Experiment, ParamDistribution, RandomSearch } from "./experiment-schema.js";
import type { TrialParams } from "./sweep-record.js";

/** One point of the search space. */
export interface TrialSpec {
  /** 0-based position in the sweep */
  index: number;
  params: TrialParams;
}

/** First seed part of the random-search stream ("swp1"), apart from every run's streams. */
const SEARCH_STREAM = 0x73777031;
/** Draws allowed per wanted trial before a small space is declared exhausted. */
const DRAWS_PER_TRIAL = 100;

/** The trial param that names an experiment's variant (not a run-config path). */
export const VARIANT_PARAM = "variant";

/** The trials of an experiment, in run order. */
export function trialsOf(experiment: Pick<Experiment, "grid" | "random" | "variants">): TrialSpec[] {
  if (experiment.random !== undefined) return sampleRandom(experiment.random);
  if (experiment.grid !== undefined || experiment.variants !== undefined) {
    // variants vary slowest: their trials stay together
    const grid: Record<string, unknown[]> = experiment.variants === undefined ? {} : { [VARIANT_PARAM]: Object.keys(experiment.variants) };
    return expandGrid({ ...grid, ...experiment.grid });
  }
  // the schema refuses such an experiment, but the type (three optional fields) allows it: trialsOf is also called with a bare Pick
  throw new RingtrainError("CONFIG_INVALID", "the experiment has neither grid, variants nor random: give one");
}

/**
 * Cartesian product in the given order: the first path varies slowest, the
 * last fastest (`{a: [1, 2], b: [x, y]}` → a1 bx, a1 by, a2 bx, a2 by).
 */
export function expandGrid(grid: Record<string, unknown[]>): TrialSpec[] {
  let points: TrialParams[] = [{}];
  for (const [path, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points.map((params, index) => ({ index, params }));
}

/**
 * `search.trials` distinct draws from one stream seeded by `search.seed`; a
 * draw equal to an earlier one is drawn again (a small space may hold fewer
 * points than asked for: then it says so).
 *
 * @throws RingtrainError CONFIG_INVALID when the space has fewer distinct points than `trials`.
 */
export function sampleRandom(search: Pick<RandomSearch, "trials" | "seed" | "params">): TrialSpec[] {
  const rng = createRng(SEARCH_STREAM, search.seed);
  const seen = new Set<string>();
  const out: TrialSpec[] = [];
  for (let draws = 0; out.length < search.trials; draws++) {
    if (draws >= search.trials * DRAWS_PER_TRIAL) {
      throw new RingtrainError(
        "CONFIG_INVALID",
        `random search: found only ${out.length} distinct points in ${draws} draws, but trials is ${search.trials}; lower trials or widen the params`,
      );
    }
    const params: TrialParams = {};
    for (const [path, dist] of Object.entries(search.params)) params[path] = drawParam(rng, dist);
    const key = JSON.stringify(params);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ index: out.length, params });
  }
  return out;
}

/** One draw of one parameter. */
export function drawParam(rng: Rng, dist: ParamDistribution): unknown {
  if ("choice" in dist) return dist.choice[rng.nextInt(dist.choice.length)];
  if ("listOf" in dist) {
    const length = dist.length.min + rng.nextInt(dist.length.max - dist.length.min + 1);
    return Array.from({ length }, () => drawParam(rng, dist.listOf));
  }
  if (dist.step !== undefined) {
    const steps = Math.floor((dist.max - dist.min) / dist.step + 1e-9);
    // rounded to the step's decimals, so 0.1 steps give 0.3, not 0.30000000000000004
    return roundLike(dist.min + rng.nextInt(steps + 1) * dist.step, dist.step, dist.min);
  }
  if (dist.log) return Math.exp(Math.log(dist.min) + rng.next() * (Math.log(dist.max) - Math.log(dist.min)));
  return dist.min + rng.next() * (dist.max - dist.min);
}

function decimals(x: number): number {
  const s = String(x);
  if (s.includes("e-")) return Number(s.split("e-")[1]);
  return s.includes(".") ? s.length - s.indexOf(".") - 1 : 0;
}

function roundLike(x: number, step: number, min: number): number {
  return Number(x.toFixed(Math.min(20, Math.max(decimals(step), decimals(min)))));
}
