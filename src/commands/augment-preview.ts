import type { Command } from "commander";
import { loadConfig } from "../config/load.js";
import { createSampleSource } from "../data/augment/sample-source.js";
import { datasetClassNames, loadDataset } from "../data/datasets.js";
import { RingtrainError } from "../core/errors.js";
import { writeFileAtomic } from "../core/file-writes.js";
import { grayImageFromUnit, datasetImage, type GrayImage } from "../image/png.js";
import { renderImageGrid } from "../image/image-grid.js";
import { addConfigFlags, configOverrides } from "./config-flags.js";
import { positiveInt } from "./parsers.js";
import { DATASET_FLAG } from "./run-options.js";

/**
 * `ringtrain augment-preview [config]`: a PNG grid of what the network sees —
 * one original per class (first of its class), then its variants exactly as
 * training draws them: epochs 1..V in online mode, copies 1..V in copies mode.
 */
export function registerAugmentPreviewCommand(program: Command): void {
  const command = program
    .command("augment-preview")
    .description("write a PNG grid of training samples and their augmented variants, as the workers see them")
    .argument("<config>", "a config with an `augment` section")
    .option("-o, --out <file>", "the PNG to write", "augment-preview.png")
    .option("--rows <n>", "originals to show (one per class first)", positiveInt("--rows"), 10)
    .option("--variants <n>", "variants per original", positiveInt("--variants"), 10);
  addConfigFlags(command, [DATASET_FLAG])
    .action(async (configPath: string, flags: { out: string; rows: number; variants: number }, self: Command) => {
      const config = await loadConfig(configPath, configOverrides(self, [DATASET_FLAG]));
      if (config.augment === undefined) {
        throw new RingtrainError("USAGE", `${configPath} has no "augment" section: nothing to preview (see configs/mlp-800-800-augment.json for an example)`);
      }
      const train = await loadDataset(config.dataset, "train", config.trainLimit === undefined ? {} : { limit: config.trainLimit });
      const source = createSampleSource(train, config.augment, config.seed);
      const names = datasetClassNames(config.dataset);
      const picks = pickRows(train.labels, train.numClasses, flags.rows);
      const copies = config.augment.mode === "copies" ? config.augment.copies : Infinity;
      const variants = Math.min(flags.variants, copies);
      const pixels = new Float32Array(source.sampleSize);
      const label = new Int32Array(1);
      const rows = picks.map((index) => {
        const images: GrayImage[] = [datasetImage(train, index)];
        for (let v = 1; v <= variants; v++) {
          // online: epoch v-1 of sample `index`; copies: copy v of it (the same every epoch)
          const [virtual, epoch] = config.augment!.mode === "copies" ? [v * train.count + index, 0] : [index, v - 1];
          source.gather([virtual], epoch, pixels, label);
          images.push(grayImageFromUnit(pixels, train.width, train.height));
        }
        return { label: `${names[train.labels[index]!] ?? train.labels[index]} (#${index})`, images };
      });
      const headers = ["original", ...Array.from({ length: variants }, (_, i) => (config.augment!.mode === "copies" ? `copy ${i + 1}` : `epoch ${i + 1}`))];
      const png = renderImageGrid({ rows, columnHeaders: headers, title: `${config.name}: augment ${config.augment.mode} (seed ${config.seed})` });
      await writeFileAtomic(flags.out, png, { what: "the preview", chosenBy: "--out" });
      process.stdout.write(`wrote ${flags.out}: ${rows.length} originals × ${variants} variants\n`);
    });
}

/** The first sample of each class, then the next ones in order, until `rows`. */
function pickRows(labels: Uint8Array, numClasses: number, rows: number): number[] {
  const picks: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < labels.length && seen.size < numClasses && picks.length < rows; i++) {
    if (!seen.has(labels[i]!)) {
      seen.add(labels[i]!);
      picks.push(i);
    }
  }
  for (let i = 0; i < labels.length && picks.length < rows; i++) if (!picks.includes(i)) picks.push(i);
  return picks.sort((a, b) => labels[a]! - labels[b]! || a - b);
}
