/**
 * The networks `bench:compute` measures: the configs users run. A module of
 * its own because compute-step.ts runs a benchmark when loaded.
 */
export const BENCH_MODEL_CONFIGS = { mlp: "configs/mlp-128-64.json", cnn: "configs/cnn.json" } as const;
export type BenchModel = keyof typeof BENCH_MODEL_CONFIGS;
