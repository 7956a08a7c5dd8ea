import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { parseSetting } from "../config/overrides.js";
import { RingtrainError } from "../core/errors.js";
import { DEFAULT_COORDINATOR_PORT, toControlEndpoint } from "../distributed/endpoint.js";
import { createLogger } from "../core/log.js";
import { deriveCredentials } from "../distributed/security/credentials.js";
import { loadSecret, requireSecret } from "../distributed/security/secret.js";
import { runTraining } from "../coordinator/run-controller.js";
import { addConfigFlags, configOverrides, setOption } from "./config-flags.js";
import { positiveInt } from "./parsers.js";
import { reportTrainingResult, RUN_CONFIG_FLAGS, SET_DESCRIPTION } from "./run-options.js";
import { DEFAULT_CONFIG } from "./train.js";
import { isVerbose } from "./verbose.js";

/** `coordinator`'s flags other than the config's (those are read through RUN_CONFIG_FLAGS). */
interface CoordinatorFlags {
  listen?: string;
  worldSize?: number;
  secretFile?: string;
  encrypt: boolean;
  shipData: boolean;
  set: string[];
}

/** `ringtrain coordinator [config] --listen host:port --world-size N`: a multi-node run whose workers are started elsewhere. */
export function registerCoordinatorCommand(program: Command): void {
  const command = program
    .command("coordinator")
    .description(
      "plan a run and wait for N workers started elsewhere (`ringtrain worker --coordinator host:port`, srun, mpirun, Kubernetes); " +
        "then train as `train` does and write runs/<run-id>/. A non-loopback address needs the shared secret (RINGTRAIN_SECRET or --secret-file).",
    )
    .argument("[config]", "a JSON config file (default: configs/mlp-128-64.json)")
    .option("--listen <host:port>", `control address to listen on (default: 0.0.0.0:$MASTER_PORT, else 0.0.0.0:${DEFAULT_COORDINATOR_PORT})`)
    .option("-n, --world-size <n>", "number of workers to wait for (default: WORLD_SIZE or SLURM_NTASKS)", positiveInt("--world-size"))
    .option("--secret-file <path>", "file holding the shared secret (else RINGTRAIN_SECRET)")
    .option("--encrypt", "encrypt all traffic, control and data plane, with CurveZMQ (workers need --encrypt too)", false)
    .option("--ship-data", "send every worker the records it needs, even where its host has the dataset (workers that lack it always get it)", false);
  addConfigFlags(command, RUN_CONFIG_FLAGS)
    .addOption(setOption(SET_DESCRIPTION))
    .action(async (configPath: string | undefined, flags: CoordinatorFlags, self: Command) => {
      const env = process.env;
      const worldSize = flags.worldSize ?? envInt("WORLD_SIZE") ?? envInt("SLURM_NTASKS");
      if (worldSize === undefined) throw new RingtrainError("USAGE", "how many workers? pass --world-size N (or set WORLD_SIZE, or run inside a Slurm allocation)");
      const listen = toControlEndpoint(flags.listen ?? `0.0.0.0:${env.MASTER_PORT ?? DEFAULT_COORDINATOR_PORT}`, "--listen");
      const loaded = await loadSecret(flags.secretFile, env);
      const encrypt = flags.encrypt;
      requireSecret(
        loaded,
        { endpoint: listen, encrypt },
        (why) =>
          `${why === "encrypt" ? "--encrypt needs" : `${listen} is reachable from other hosts, so the run needs`} a shared secret that every worker proves: ` +
          "set RINGTRAIN_SECRET or pass --secret-file <path> (e.g. `openssl rand -hex 32 > secret && chmod 600 secret`); never put it on the command line",
      );
      const config = await loadConfig(configPath ?? DEFAULT_CONFIG, [
        ...configOverrides(self, RUN_CONFIG_FLAGS),
        ...flags.set.map(parseSetting),
        // the run's worker count is the world size the coordinator waits for
        { path: "workers", value: Math.min(worldSize, 256), source: "--world-size" },
      ]);
      const verbose = isVerbose(self);
      const logger = createLogger({ level: verbose ? "debug" : "info" });
      if (loaded?.warning !== undefined) logger.warn(loaded.warning);
      const credentials = loaded === undefined ? undefined : deriveCredentials(loaded.secret, encrypt);
      const result = await runTraining({
        config,
        logger,
        progress: process.stderr.isTTY,
        verbose,
        remote: { listen, worldSize, shipData: flags.shipData, ...(credentials === undefined ? {} : { credentials }) },
      });
      reportTrainingResult(result, logger);
    });
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RingtrainError("USAGE", `${name}=${JSON.stringify(raw)} must be a positive integer (the number of workers)`);
  return n;
}
