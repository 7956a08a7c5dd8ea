import cliProgress from "cli-progress";
import { formatLoss } from "../core/format.js";

/**
 * The progress bar on a TTY (one bar per epoch, driven by rank 0's throttled
 * progress reports). Off a TTY it does nothing: per-epoch log lines carry the
 * same information for machines.
 */
export class ProgressDisplay {
  private bar: cliProgress.SingleBar | undefined;
  private epoch = -1;

  constructor(private readonly enabled: boolean, private readonly epochs: number) {}

  update(epoch: number, step: number, stepsPerEpoch: number, loss: number): void {
    if (!this.enabled) return;
    if (epoch !== this.epoch) {
      this.bar?.stop();
      this.epoch = epoch;
      this.bar = new cliProgress.SingleBar(
        { format: `epoch ${epoch + 1}/${this.epochs} [{bar}] {value}/{total} steps | loss {loss} | eta {eta}s`, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(stepsPerEpoch, step, { loss: formatLoss(loss) });
      return;
    }
    this.bar?.update(step, { loss: formatLoss(loss) });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
