import { resolve, join } from "node:path";
import type { Command } from "commander";
import { applyOverrides, parseSetting } from "../config/overrides.js";
import { errorMessage, RingtrainError } from "../core/errors.js";
import { createLogger } from "../core/log.js";
import { makeRunId } from "../runs/run-id.js";
import { loadExperiment, loadResolvedExperiment, type ResolvedExperiment } from "../experiments/load-experiment.js";
import { checkSweepData, planSweep, type SweepPlan } from "../experiments/sweep-plan.js";
import { newSweepRecord, reconcileRecord, runSweep } from "../experiments/sweep-runner.js";
import { createSweepDir, EXPERIMENT_FILE, readSweepRecord } from "../experiments/sweep-store.js";
import { writeReport } from "../report/write-report.js";
import { setOption } from "./config-flags.js";
import { positiveInt } from "./parsers.js";
import { isVerbose } from "./verbose.js";

const HELP_AFTER = `
An experiment file holds a base run config and a search space, e.g.
  { "name": "lr", "base": "../mlp-128-64.json", "overrides": { "epochs": 5 },
    "grid": { "optimizer.learningRate": [0.01, 0.1, 1] }, "cv": { "folds": 5 } }
or a random search: "random": { "trials": 5, "executionsPerTrial": 3, "seed": 0,
    "params": { "model.hidden": { "listOf": { "min": 32, "max": 256, "step": 32 }, "length": { "min": 1, "max": 4 } },
                "optimizer.learningRate": { "choice": [0.01, 0.001] } } }
Results go to <runs-dir>/<sweep-id>/: sweep.json, trials/<trial-id>/<run-id>/, final/, report.
See the README's "Sweeps" section for every field.`;

interface SweepFlags {
  workers?: number;
  resume?: string;
  runsDir?: string;
  dryRun?: boolean;
  set: string[];
}

/** `ringtrain sweep <experiment.json>`: a grid or random search of training runs, with optional cross-validation. */
export function registerSweepCommand(program: Command): void {
  program
    .command("sweep")
    .description("run a hyperparameter sweep (grid or random search, optional k-fold CV) on the distributed trainer and write runs/<sweep-id>/")
    .argument("[experiment]", "an experiment JSON file (see configs/experiments/); leave out with --resume")
    .option("-w, --workers <n>", "worker processes per training run (default: the experiment's, else its base config's)", positiveInt("--workers"))
    .option("--resume <sweep-dir>", "continue an interrupted sweep from its directory: finished trials and runs are not run again")
    .option("--runs-dir <dir>", "where the sweep directory is created (default: runs)")
    .addOption(
      setOption(
        "set a run-config field on every trial, before the search space (repeatable; the value is JSON, else a string): e.g. --set trainLimit=12000 for a quick look; recorded in the sweep's description",
      ),
    )
    .option("--dry-run", "validate every trial's run config and print the trials without running anything", false)
    .addHelpText("after", HELP_AFTER)
    .action(async (experimentPath: string | undefined, flags: SweepFlags, self: Command) => {
      const verbose = isVerbose(self);
      if ((experimentPath === undefined) === (flags.resume === undefined)) {
        throw new RingtrainError("USAGE", "give an experiment file, or --resume <sweep-dir> (not both): ringtrain sweep configs/experiments/<name>.json");
      }
      if (flags.resume !== undefined && flags.runsDir !== undefined) {
        throw new RingtrainError("USAGE", "--runs-dir applies to a new sweep; a resumed sweep stays in its directory");
      }
      const workers = flags.workers === undefined ? {} : { workers: flags.workers };
      if (flags.resume !== undefined && flags.set.length > 0) throw new RingtrainError("USAGE", "--set applies to a new sweep; a resumed sweep keeps the settings it started with");
      const experiment = flags.resume !== undefined ? await loadResolvedExperiment(join(flags.resume, EXPERIMENT_FILE)) : applySettings(await loadExperiment(experimentPath as string), flags.set);
      const plan = planSweep(experiment, workers);
      if (flags.dryRun === true) {
        await checkSweepData(plan);
        process.stdout.write(describePlan(plan));
        return;
      }
      const logger = createLogger({ level: verbose ? "debug" : "info" });
      let dir: string;
      let record;
      if (flags.resume !== undefined) {
        dir = flags.resume;
        record = reconcileRecord(plan, await readSweepRecord(dir));
        const done = record.trials.filter((t) => t.status !== "pending").length;
        logger.info({ sweep: dir, done, trials: record.trials.length }, `resuming sweep ${record.sweepId}: ${done} of ${record.trials.length} trials already finished`);
      } else {
        const sweepId = makeRunId(experiment.name);
        dir = join(flags.runsDir ?? "runs", sweepId);
        await createSweepDir(dir, experiment);
        record = newSweepRecord(plan, sweepId, resolve(experimentPath as string));
        logger.info(
          { sweep: dir, trials: plan.trials.length, runsPerTrial: plan.runs.length, workers: plan.workers, metric: plan.metric },
          `sweep ${sweepId}: ${plan.trials.length} trials × ${plan.runs.length} run(s) on ${plan.workers} workers, ranked by ${plan.metric}${plan.retrainBest ? ", best retrained on the whole training set" : ""}`,
        );
      }
      const finished = await runSweep({ plan, dir, record, logger, progress: process.stderr.isTTY, verbose });
      const counts = ["completed", "diverged", "failed"].map((s) => `${finished.trials.filter((t) => t.status === s).length} ${s}`).join(", ");
      logger.info(
        { sweep: dir, best: finished.best, final: finished.final?.summary?.testAccuracy ?? null },
        `sweep ${finished.sweepId} finished (${counts}); ` +
          `${finished.best === null ? "no best trial" : `best ${finished.best.trialId} (${plan.metric} ${finished.best.value.toFixed(4)})`}; results in ${dir}`,
      );
      try {
        await writeReport(dir, { logger });
      } catch (e) {
        // the sweep's results are safe on disk: a report failure must not make the sweep look failed
        logger.warn({ err: errorMessage(e) }, `could not write the report (${errorMessage(e)}); once fixed, run: ringtrain report ${dir}`);
      }
      // the last line, and the exit status, say whether any trial failed (a diverged trial is a result, not a failure)
      const failed = finished.trials.filter((t) => t.status === "failed");
      if (failed.length > 0) {
        const first = failed[0]!;
        logger.error(
          { sweep: dir, failed: failed.map((t) => t.trialId) },
          `sweep ${finished.sweepId}: ${failed.length} of ${finished.trials.length} trials failed (first ${first.trialId}: ${first.runs.find((r) => r.error !== undefined)?.error ?? "see its runs"}); exit status 1; results in ${dir}`,
        );
        process.exitCode = 1;
      }
    });
}

/**
 * The experiment with each `--set path=value` applied to its base run config, and
 * noted in its description (the report shows it: figures from a reduced run must say so).
 */
function applySettings(experiment: ResolvedExperiment, settings: readonly string[]): ResolvedExperiment {
  if (settings.length === 0) return experiment;
  const base = applyOverrides(experiment.base, settings.map(parseSetting));
  const note = `Run with ${settings.map((s) => `--set ${s}`).join(" ")}.`;
  return { ...experiment, base, description: experiment.description === undefined ? note : `${experiment.description} ${note}` };
}

/** The `--dry-run` listing: one line per trial with its params. */
function describePlan(plan: SweepPlan): string {
  const lines = [
    `experiment ${plan.experiment.name}: ${plan.trials.length} trials × ${plan.runs.length} run(s) = ${plan.trials.length * plan.runs.length} training runs on ${plan.workers} workers` +
      `${plan.retrainBest ? ", plus the best trial retrained on the whole training set" : ""}; ranked by ${plan.metric} (${plan.higherIsBetter ? "higher" : "lower"} is better)`,
    ...plan.trials.map((t) => `  ${t.trialId}  ${Object.entries(t.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`),
  ];
  return lines.join("\n") + "\n";
}
