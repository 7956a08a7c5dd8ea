import { Option, type Command } from "commander";
import { BACKEND_NAMES } from "../common/compute/backend.js";
import { loadConfig } from "../common/config/load.js";
import { RingtrainError } from "../common/errors.js";
import { DEFAULT_COORDINATOR_PORT, isLoopbackEndpoint, toControlEndpoint } from "../common/launch/endpoint.js";
import { createLogger } from "../common/log.js";
import { deriveCredentials } from "../common/security/credentials.js";
import { loadSecret } from "../common/security/secret.js";
import { runTraining } from "../coordinator/run-controller.js";
import { formatSummary } from "../coordinator/summary-text.js";
import { cliContext } from "./cli-context.js";
import { batchSize, finiteNumber, nonNegativeInt, positiveInt } from "./parsers.js";
import { DEFAULT_CONFIG } from "./train.js";

/** `ringtrain coordinator [config] --listen host:port --world-size N`: a multi-node run whose workers are started elsewhere. */
export function registerCoordinatorCommand(program: Command): void {
  program
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
    .option("--ship-data", "send every worker the records it needs, even where its host has the dataset (workers that lack it always get it)", false)
    .option("-b, --batch-size <n|full>", "global (effective) batch size, split across workers; 'full' = whole training set", batchSize)
    .option("--lr <rate>", "learning rate", finiteNumber("--lr"))
    .option("-e, --epochs <n>", "number of epochs", positiveInt("--epochs"))
    .option("--optimizer <name>", "sgd, adam, rmsprop or adagrad")
    .option("--seed <n>", "run seed: data order, initial weights", nonNegativeInt("--seed"))
    .addOption(new Option("--backend <name>", "compute backend (recorded; each worker chooses with its own --backend)").choices(BACKEND_NAMES))
    .option("--train-limit <n>", "use only the first n training samples", positiveInt("--train-limit"))
    .option("--test-limit <n>", "use only the first n test samples", positiveInt("--test-limit"))
    .option("--runs-dir <dir>", "where run directories are written (default: runs)")
    .option("--verbose", "print stack traces", false)
    .action(async (configPath: string | undefined, flags: Record<string, unknown>) => {
      cliContext.verbose ||= flags.verbose === true;
      const env = process.env;
      const worldSize = (flags.worldSize as number | undefined) ?? envInt("WORLD_SIZE") ?? envInt("SLURM_NTASKS");
      if (worldSize === undefined) throw new RingtrainError("USAGE", "how many workers? pass --world-size N (or set WORLD_SIZE, or run inside a Slurm allocation)");
      const listen = toControlEndpoint((flags.listen as string | undefined) ?? `0.0.0.0:${env.MASTER_PORT ?? DEFAULT_COORDINATOR_PORT}`, "--listen");
      const loaded = await loadSecret(flags.secretFile as string | undefined, env);
      const encrypt = flags.encrypt === true;
      if (loaded === undefined && (!isLoopbackEndpoint(listen) || encrypt)) {
        throw new RingtrainError(
          "USAGE",
          `${encrypt ? "--encrypt needs" : `${listen} is reachable from other hosts, so the run needs`} a shared secret that every worker proves: ` +
            "set RINGTRAIN_SECRET or pass --secret-file <path> (e.g. `openssl rand -hex 32 > secret && chmod 600 secret`); never put it on the command line",
        );
      }
      const config = await loadConfig(configPath ?? DEFAULT_CONFIG, {
        workers: Math.min(worldSize, 256),
        batchSize: flags.batchSize as number | "full" | undefined,
        learningRate: flags.lr as number | undefined,
        epochs: flags.epochs as number | undefined,
        optimizer: flags.optimizer as string | undefined,
        seed: flags.seed as number | undefined,
        backend: flags.backend as string | undefined,
        trainLimit: flags.trainLimit as number | undefined,
        testLimit: flags.testLimit as number | undefined,
        runsDir: flags.runsDir as string | undefined,
      });
      const logger = createLogger({ level: cliContext.verbose ? "debug" : "info" });
      if (loaded?.warning !== undefined) logger.warn(loaded.warning);
      const credentials = loaded === undefined ? undefined : deriveCredentials(loaded.secret, encrypt);
      const result = await runTraining({
        config,
        logger,
        progress: process.stderr.isTTY,
        verbose: cliContext.verbose,
        remote: { listen, worldSize, shipData: flags.shipData === true, ...(credentials === undefined ? {} : { credentials }) },
      });
      if (process.stdout.isTTY) process.stdout.write(formatSummary(result.summary, result.runDir));
      else logger.info({ summary: result.summary, runDir: result.runDir }, "summary");
    });
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RingtrainError("USAGE", `${name}=${JSON.stringify(raw)} must be a positive integer (the number of workers)`);
  return n;
}
