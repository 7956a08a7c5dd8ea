/** The worker's side of data shipping: chunks in, a checked dataset out. */
import { RingtrainError } from "../../core/errors.js";
import type { Dataset } from "../dataset.js";
import { chunkCount, chunkRecords, shareHash, type DatasetManifest } from "./manifest.js";

/**
 * Collects the chunks of one manifest into a dataset of the manifest's full
 * size (records outside the shipped range stay zero: this rank never reads
 * them) and checks the content hash when complete.
 *
 * Memory: allocates the whole split once, up front; chunks are copied in, so
 * the caller may drop a received frame as soon as {@link add} returns.
 */
export class DatasetAssembler {
  private readonly pixels: Uint8Array;
  private readonly labels: Uint8Array;
  private readonly received: Uint8Array;
  private missing: number;
  private readonly sampleBytes: number;

  /** @param source who sends the chunks, for errors (e.g. `the coordinator at tcp://10.0.0.1:29500`) */
  constructor(
    readonly manifest: DatasetManifest,
    private readonly source: string,
  ) {
    this.sampleBytes = manifest.height * manifest.width * manifest.channels;
    this.pixels = new Uint8Array(manifest.count * this.sampleBytes);
    this.labels = new Uint8Array(manifest.count);
    this.missing = chunkCount(manifest);
    this.received = new Uint8Array(this.missing);
  }

  /** Chunks still to come. */
  get remaining(): number {
    return this.missing;
  }

  /**
   * Copies chunk `chunk` in. Synchronous.
   *
   * @throws RingtrainError PROTOCOL for an unknown or repeated chunk, or one of the wrong size.
   */
  add(chunk: number, pixels: Uint8Array, labels: Uint8Array): void {
    const m = this.manifest;
    const what = `chunk ${chunk} of the ${m.split} split (${m.name}) from ${this.source}`;
    if (!(Number.isInteger(chunk) && chunk >= 0 && chunk < this.received.length)) {
      throw new RingtrainError("PROTOCOL", `${what}: expected chunks 0..${this.received.length - 1}`);
    }
    if (this.received[chunk] === 1) throw new RingtrainError("PROTOCOL", `${what} arrived twice`);
    const { first, records } = chunkRecords(m, chunk);
    if (pixels.byteLength !== records * this.sampleBytes || labels.byteLength !== records) {
      throw new RingtrainError(
        "PROTOCOL",
        `${what} holds ${pixels.byteLength} pixel bytes and ${labels.byteLength} labels; expected ${records * this.sampleBytes} and ${records} (${records} records)`,
      );
    }
    this.pixels.set(pixels, first * this.sampleBytes);
    this.labels.set(labels, first);
    this.received[chunk] = 1;
    this.missing--;
  }

  /**
   * The reassembled dataset, once every chunk arrived and the content hash matches.
   *
   * @throws RingtrainError INTERNAL when chunks are missing; DATA_INVALID when
   *   the content hash differs (names the source and the dataset), or a label is
   *   not below numClasses.
   */
  finish(): Dataset {
    const m = this.manifest;
    if (this.missing > 0) throw new RingtrainError("INTERNAL", `the ${m.split} split (${m.name}) from ${this.source} is missing ${this.missing} chunks`);
    // a validation split is evaluated like a test split
    const ds: Dataset = { name: m.name, split: m.split === "train" ? "train" : "test", count: m.count, height: m.height, width: m.width, channels: m.channels, numClasses: m.numClasses, pixels: this.pixels, labels: this.labels };
    const hash = shareHash(ds, m.first, m.records);
    if (hash !== m.sha256) {
      throw new RingtrainError(
        "DATA_INVALID",
        `the ${m.split} split (${m.name}, records ${m.first}..${m.first + m.records - 1}) received from ${this.source} hashes to sha256 ${hash}, ` +
          `but the coordinator announced ${m.sha256}: the data was corrupted or changed in transit; start the worker again (or give it its own copy of the dataset)`,
      );
    }
    for (let i = m.first; i < m.first + m.records; i++) {
      if ((this.labels[i] as number) >= m.numClasses) {
        throw new RingtrainError("DATA_INVALID", `the ${m.split} split (${m.name}) from ${this.source}: label ${this.labels[i]} at record ${i}; expected < ${m.numClasses} classes`);
      }
    }
    return ds;
  }
}
