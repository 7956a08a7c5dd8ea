/**
 * Ring allreduce over ZeroMQ: every rank ends with the element-wise sum of all
 * ranks' Float32Arrays, bit-identical on every rank (docs/design.md, invariant 2).
 *
 * Topology: rank r binds one PULL that only its left neighbour (r-1 mod N)
 * connects to, and connects one PUSH to its right neighbour (r+1 mod N). Every
 * message is `[header, payload]` (see frame.ts); PUSH/PULL over one connection
 * is FIFO, so the receiver knows exactly which frame must come next and checks
 * the header against it.
 *
 * Round protocol, one `allreduce(buf, tag)` on rank r of N (L elements):
 *
 *  0. N = 1 or L = 0: return at once (every rank sees the same N and L).
 *  1. Choose the algorithm from L alone, so every rank chooses the same one:
 *     "gather" when 4·L ≤ smallBufferBytes, else "ring".
 *
 *  Gather (small buffers: N-1 hops instead of the ring's 2(N-1)):
 *  G1. Copy buf into this call's staging slot; send it right (step 0).
 *  G2. For g = 0 .. N-2: receive the buffer of rank (r-1-g) mod N from the left;
 *      unless g = N-2, forward that same received frame right as step g+1.
 *  G3. Sum in one fixed order so every rank gets the same bits: for N = 2,
 *      buf += other (a+b = b+a exactly); for N ≥ 3, buf = b0 + b1 + … + b(N-1)
 *      left to right, with b_r taken from the staging slot.
 *
 *  Ring (large buffers): split buf into N chunks (lengths differ by at most 1)
 *  and each chunk into sub-chunks of at most subChunkBytes, so adding one
 *  sub-chunk overlaps the transfer of the next.
 *  R1. Reduce-scatter, ring step k = 0 .. N-2: send chunk (r-k) mod N, receive
 *      chunk (r-k-1) mod N and add it into buf. The chunk received at step k is
 *      the one sent at step k+1, sub-chunk by sub-chunk: each received sub-chunk
 *      is added and immediately queued for sending.
 *  R2. At step N-2, chunk (r+1) mod N gets the sum of all N contributions,
 *      computed once, here. Each of its sub-chunks is written to buf and over
 *      the received frame, and that frame is sent right as allgather step 0
 *      (ring step N-1): the frame's blocks are in cache from the add, so this
 *      is cheaper than writing a staging copy, and buf is never sent after R1.
 *  R3. Allgather, ring step N-1+k for k = 0 .. N-2: receive chunk (r-k) mod N,
 *      copy it into buf, and unless k = N-2 forward the received frame itself.
 *      Every rank copies the same reduced bits, so all ranks agree.
 *  R4. Wait until every queued send was handed to ZeroMQ, then return.
 *
 * Buffer ownership (why this is safe with ZeroMQ's zero-copy sends, where a
 * sent frame stays a live view of the sender's memory until it is written out,
 * and over inproc until the receiver has read it):
 *  - Ring sends from buf (R1) are only of chunks the sender does not modify
 *    again until it receives that chunk's fully reduced value in R3; that value
 *    includes the right neighbour's sum over the frame, so the frame was read.
 *  - Everything sent after R1 is a received frame (R2, R3), never buf, so the
 *    caller may reuse buf as soon as allreduce resolves. R2 writes into a
 *    received frame: over tcp and ipc that is fresh memory ZeroMQ handed to
 *    this rank alone; over inproc it may be the left neighbour's own buf view
 *    of that chunk, which the left neither reads nor sends again in this call
 *    and later overwrites with these same bits (R3), and it cannot return
 *    before then. Once sent, a frame is never written again; the pending send
 *    keeps it alive.
 *  - The gather algorithm sends from a staging array, which has two slots used
 *    by alternate calls. A slot is rewritten two calls later, after this rank
 *    received data from every rank for the call in between, which every rank
 *    only starts after finishing the call that read the slot.
 *
 * Failure: every receive and every send is bounded by timeoutMs (TIMEOUT,
 * naming the neighbour, the phase and the tag); a header that differs from
 * the expected one fails with PROTOCOL. After any failure the instance is
 * broken: later calls reject with the same error. Close it and start over.
 *
 * Options and their defaults: ring-options.ts; the sockets and the frame check: ring-sockets.ts.
 */
import type * as zmq from "zeromq";
import { describePeer, RingtrainError, isRingtrainError } from "../../core/errors.js";
import { formatDuration } from "../../core/timeout.js";
import type { SecurityOptions } from "../security/socket-security.js";
import { isZmqTimeout } from "./data-sockets.js";
import { addInto, addIntoBoth, bytesOf, copyInto } from "./f32-add.js";
import { encodeHeader, Phase, phaseName } from "./frame.js";
import { checkRingOptions, DEFAULT_SUB_CHUNK_BYTES, defaultSmallBufferBytes, type RingAllreduceOptions, type RingMember } from "./ring-options.js";
import { bindRingReceiver, connectRingSender, receiveExpected, type ExpectedFrame } from "./ring-sockets.js";

/** One rank's end of the ring. Not re-entrant: await one allreduce before starting the next. */
export class RingAllreduce {
  readonly address: string;
  private readonly rank: number;
  private readonly worldSize: number;
  private readonly timeoutMs: number;
  private readonly smallBufferBytes: number;
  private readonly subChunkElements: number;
  private readonly context: zmq.Context | undefined;
  private readonly senderSecurity: SecurityOptions | undefined;
  private readonly pull: zmq.Pull;
  private push: zmq.Push | undefined;
  private left: RingMember | undefined;
  private right: RingMember | undefined;
  private staging: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  private calls = 0;
  private busy = false;
  private closed = false;
  private failure: RingtrainError | undefined;
  private sendChain: Promise<void> = Promise.resolve();

  private constructor(opts: RingAllreduceOptions, pull: zmq.Pull, address: string) {
    this.rank = opts.rank;
    this.worldSize = opts.worldSize;
    this.timeoutMs = opts.timeoutMs;
    this.smallBufferBytes = opts.smallBufferBytes ?? defaultSmallBufferBytes(opts.worldSize);
    this.subChunkElements = Math.max(16, Math.floor((opts.subChunkBytes ?? DEFAULT_SUB_CHUNK_BYTES) / 4));
    this.context = opts.context;
    this.senderSecurity = opts.security?.sender;
    this.pull = pull;
    this.address = address;
  }

  /**
   * Binds the receiving socket; `address` is the resolved endpoint (port filled
   * in) to advertise to the left neighbour. Rejects with USAGE for bad options
   * and WORKER_FAILED when the bind fails.
   */
  static async bind(opts: RingAllreduceOptions): Promise<RingAllreduce> {
    checkRingOptions(opts);
    if (opts.receiver !== undefined) return new RingAllreduce(opts, opts.receiver.socket, opts.receiver.address);
    // this rank's own crossover, not bindRingReceiver's world-size-independent one
    const small = opts.smallBufferBytes ?? defaultSmallBufferBytes(opts.worldSize);
    const { socket, address } = await bindRingReceiver(opts.bindEndpoint, { ...opts, smallBufferBytes: small });
    return new RingAllreduce(opts, socket, address);
  }

  /**
   * Connects to the right neighbour; `members` is the whole table, indexed by
   * rank, used for connecting and for error messages. Returns once the connect
   * is issued (ZeroMQ completes it in the background; the first allreduce
   * bounds the wait). Throws USAGE for a malformed table.
   */
  connect(members: readonly RingMember[]): Promise<void> {
    if (members.length !== this.worldSize || members.some((m, i) => m.rank !== i)) {
      throw new RingtrainError(
        "USAGE",
        `ring allreduce rank ${this.rank}: member table has ranks [${members.map((m) => m.rank).join(", ")}], ` +
          `expected 0..${this.worldSize - 1} in order`,
      );
    }
    if (this.push) throw new RingtrainError("INTERNAL", `ring allreduce rank ${this.rank}: connect() called twice`);
    const n = this.worldSize;
    this.left = members[(this.rank - 1 + n) % n];
    this.right = members[(this.rank + 1) % n];
    if (n > 1 && this.right) {
      this.push = connectRingSender(this.right.dataAddress, { context: this.context, timeoutMs: this.timeoutMs, security: this.senderSecurity });
    }
    return Promise.resolve();
  }

  /**
   * Sums `buf` in place across all ranks. Every rank calls it with the same length and the same `tag` (e.g. the step number).
   * All ranks end with bit-identical results (each chunk is summed once, then gathered). Any length incl. 0 and 1 and lengths not divisible
   * by worldSize. worldSize 1 is a no-op. A wait past timeoutMs rejects with RingtrainError("TIMEOUT") naming the neighbour
   * (`worker 3 (host h, pid 812)`), the phase (reduce-scatter/allgather) and the tag.
   *
   * `buf` belongs to this call until the promise settles; afterwards the caller
   * may modify it at once. Rejects with PROTOCOL when a neighbour sends something
   * other than expected (another tag, length or phase), INTERNAL when called
   * concurrently or before connect(); after any rejection the instance is broken.
   */
  async allreduce(buf: Float32Array, tag: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new RingtrainError("INTERNAL", `ring allreduce rank ${this.rank}: allreduce after close()`);
    if (this.worldSize === 1 || buf.length === 0) return;
    if (!this.push) throw new RingtrainError("INTERNAL", `ring allreduce rank ${this.rank}: allreduce before connect()`);
    if (this.busy) throw new RingtrainError("INTERNAL", `ring allreduce rank ${this.rank}: allreduce called while another is running`);
    if (!Number.isFinite(tag)) throw new RingtrainError("USAGE", `ring allreduce: tag ${tag} must be a finite number`);
    this.busy = true;
    const slot = this.calls++ & 1;
    try {
      if (buf.length * 4 <= this.smallBufferBytes) await this.gather(buf, tag, slot);
      else await this.ring(buf, tag);
      await this.sendChain;
    } catch (e) {
      this.failure = this.asRingtrainError(e);
      throw this.failure;
    } finally {
      this.busy = false;
    }
  }

  /** Closes both sockets without waiting for unsent data (linger 0). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pull.close();
    this.push?.close();
  }

  // ---- algorithms -------------------------------------------------------

  private async gather(buf: Float32Array, tag: number, slot: number): Promise<void> {
    const n = this.worldSize;
    const len = buf.length;
    const mine = this.stagingSlot(slot, len);
    mine.set(buf);
    const mineBytes = bytesOf(mine, 0, len);
    this.send(Phase.Gather, tag, len, 0, 0, mineBytes); // G1
    const received: Uint8Array[] = new Array<Uint8Array>(n);
    received[this.rank] = mineBytes;
    for (let g = 0; g <= n - 2; g++) {
      // G2
      const payload = await this.receive({ tag, totalLength: len, step: g, subChunk: 0, phase: Phase.Gather, elements: len });
      received[(this.rank - 1 - g + 2 * n) % n] = payload;
      if (g < n - 2) this.send(Phase.Gather, tag, len, g + 1, 0, payload);
    }
    // G3
    if (n === 2) {
      addInto(buf, 0, received[1 - this.rank] as Uint8Array, len);
      return;
    }
    if (this.rank !== 0) copyInto(buf, 0, received[0] as Uint8Array, len);
    for (let i = 1; i < n; i++) addInto(buf, 0, received[i] as Uint8Array, len);
  }

  private async ring(buf: Float32Array, tag: number): Promise<void> {
    const n = this.worldSize;
    const r = this.rank;
    const len = buf.length;
    const base = Math.floor(len / n);
    const rem = len % n;
    const chunkStart = (c: number): number => c * base + Math.min(c, rem);
    const chunkLength = (c: number): number => base + (c < rem ? 1 : 0);
    const mod = (x: number): number => ((x % n) + n) % n;
    const sub = this.subChunkElements;
    const owned = mod(r + 1);
    const lastStep = 2 * n - 3;

    // R1, step 0: our own chunk r, every sub-chunk.
    {
      const c0 = chunkStart(r);
      const l0 = chunkLength(r);
      for (let j = 0, off = 0; off < l0; j++, off += sub) {
        this.send(Phase.ReduceScatter, tag, len, 0, j, bytesOf(buf, c0 + off, Math.min(sub, l0 - off)));
      }
    }
    for (let g = 0; g <= lastStep; g++) {
      const c = g < n - 1 ? mod(r - g - 1) : mod(r - (g - (n - 1)));
      const start = chunkStart(c);
      const clen = chunkLength(c);
      const phase = g < n - 1 ? Phase.ReduceScatter : Phase.Allgather;
      for (let j = 0, off = 0; off < clen; j++, off += sub) {
        const count = Math.min(sub, clen - off);
        const payload = await this.receive({ tag, totalLength: len, step: g, subChunk: j, phase, elements: count });
        if (g < n - 2) {
          addInto(buf, start + off, payload, count); // R1
          this.send(Phase.ReduceScatter, tag, len, g + 1, j, bytesOf(buf, start + off, count));
        } else if (g === n - 2) {
          // R2: chunk `owned` is now final; the sums go to buf and over the frame, which travels on.
          if (c !== owned) throw new RingtrainError("INTERNAL", `ring allreduce: reduced chunk ${c}, expected ${owned}`);
          addIntoBoth(buf, start + off, payload, count);
          this.send(Phase.Allgather, tag, len, g + 1, j, payload);
        } else {
          copyInto(buf, start + off, payload, count); // R3
          if (g < lastStep) this.send(Phase.Allgather, tag, len, g + 1, j, payload);
        }
      }
    }
  }

  // ---- plumbing ---------------------------------------------------------

  private stagingSlot(slot: number, minLength: number): Float32Array {
    let s = this.staging[slot] as Float32Array;
    if (s.length < minLength) {
      // Grown once to the largest buffer seen, then reused: a fresh 16 MiB
      // allocation costs ~8 ms of page faults per call.
      s = new Float32Array(Math.max(minLength, s.length * 2));
      this.staging[slot] = s;
    }
    return s;
  }

  /** Queues `[header, payload]` behind earlier sends (ZeroMQ allows one send in flight per socket). */
  private send(phase: Phase, tag: number, totalLength: number, step: number, subChunk: number, payload: Uint8Array): void {
    const push = this.push as zmq.Push;
    const header = encodeHeader({ tag, totalLength, step, subChunk, phase, sender: this.rank });
    // Zero-copy send needs a Buffer (or ArrayBuffer); this wraps, it does not copy.
    const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    this.sendChain = this.sendChain.then(() =>
      push.send([header, body]).catch((e: unknown) => {
        if (!isZmqTimeout(e)) throw e;
        throw new RingtrainError(
          "TIMEOUT",
          `ring allreduce rank ${this.rank}: ${describePeer(this.right as RingMember)} took no ${phaseName(phase)} chunk ` +
            `for tag ${tag} (ring step ${step}, sub-chunk ${subChunk}): its receive queue stayed full within ${formatDuration(this.timeoutMs)}`,
        );
      }),
    );
    // A failed send is reported by `await this.sendChain` in allreduce(); until
    // then it must not count as an unhandled rejection (which ends the process).
    this.sendChain.catch(() => undefined);
  }

  /** Receives the next frame from the left neighbour and checks it is exactly `want`. Returns the payload bytes. */
  private receive(want: ExpectedFrame): Promise<Buffer> {
    return receiveExpected(this.pull, this.timeoutMs, this.rank, this.left as RingMember, want);
  }

  private asRingtrainError(e: unknown): RingtrainError {
    if (isRingtrainError(e)) return e;
    const why = this.closed ? "the ring was closed during an allreduce" : "a data-plane socket failed";
    return new RingtrainError("WORKER_FAILED", `ring allreduce rank ${this.rank}: ${why}: ${String(e)}`, { cause: e });
  }
}
