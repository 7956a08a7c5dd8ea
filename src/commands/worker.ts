import { Option, type Command } from "commander";
import { BACKEND_NAMES, type BackendName } from "../common/compute/backend.js";
import { runWorker } from "../worker/main.js";
import { nonNegativeInt, positiveInt } from "./parsers.js";

/** `ringtrain worker`: one worker process (forked by `train`, or started by hand). */
export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("run one worker process (started by `ringtrain train`; by hand for multi-node runs)")
    .requiredOption("--coordinator <endpoint>", "the coordinator's control endpoint, e.g. tcp://10.0.0.1:29500")
    .requiredOption("--rank <n>", "this worker's rank", nonNegativeInt("--rank"))
    .requiredOption("--world-size <n>", "number of workers in the run", positiveInt("--world-size"))
    .option("--bind <endpoint>", "where to bind the data-plane socket", "tcp://127.0.0.1:*")
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES).default("auto"))
    .option("--rendezvous-timeout <ms>", "bound on waiting for the plan and the initial weights", positiveInt("--rendezvous-timeout"), 120_000)
    .option("--allreduce-timeout <ms>", "bound on each allreduce phase", positiveInt("--allreduce-timeout"), 30_000)
    .action(
      async (flags: { coordinator: string; rank: number; worldSize: number; bind: string; backend: BackendName; rendezvousTimeout: number; allreduceTimeout: number }) => {
        if (process.send !== undefined) {
          // a locally forked worker exits when its coordinator dies instead of lingering,
          // and leaves Ctrl-C (sent to the whole process group) to the coordinator
          process.on("disconnect", () => process.exit(1));
          process.on("SIGINT", () => undefined);
        }
        process.exitCode = await runWorker({
          coordinator: flags.coordinator,
          rank: flags.rank,
          worldSize: flags.worldSize,
          dataBind: flags.bind,
          backend: flags.backend,
          rendezvousMs: flags.rendezvousTimeout,
          allreduceMs: flags.allreduceTimeout,
        });
        // leave quietly: our own disconnect must not trigger the orphan exit above
        process.removeAllListeners("disconnect");
        if (process.connected) process.disconnect();
      },
    );
}
