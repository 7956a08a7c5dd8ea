/**
 * Where each trainable tensor lives inside the one flat parameter (and
 * gradient) buffer. The flat buffer is what the allreduce sums, the optimizer
 * updates and the checksum hashes; tfjs variables are views copied from it.
 */
export interface ParameterSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export class ParameterLayout {
  readonly slots: readonly ParameterSlot[];
  readonly totalSize: number;

  constructor(entries: ReadonlyArray<{ name: string; shape: number[] }>) {
    let offset = 0;
    this.slots = entries.map(({ name, shape }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const slot = { name, shape, offset, size };
      offset += size;
      return slot;
    });
    this.totalSize = offset;
  }

  /** The part of `flat` that belongs to `slot` (a view, no copy). */
  view(flat: Float32Array, slot: ParameterSlot): Float32Array {
    return flat.subarray(slot.offset, slot.offset + slot.size);
  }
}
