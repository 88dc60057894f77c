// The vector codes of the memory stores' index (ADR 0015; the SQLite and the Postgres store), hand-
// written: no library scores 2-bit quantized codes against a float query (asymmetric distance) over
// rows read from a database.

// Lloyd–Max quantizer of a standard normal into 4 levels: thresholds 0 and ±0.9816, levels
// ±0.4528 and ±1.510. Each component is scaled by the vector's RMS first, so the levels fit any
// vector length; the per-vector scale does not change the ranking of one query's candidates.
const LEVEL_THRESHOLD = 0.9816;
const LEVELS = [-1.51, -0.4528, 0.4528, 1.51] as const;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bytes of a 2-bit code: four dimensions to a byte. */
export function codeBytes(dimensions: number): number {
  return Math.ceil(dimensions / 4);
}

/** Bytes of a chunk slot: the rowid as float64 (exact for every rowid below 2^53), then the code. */
export function slotBytes(dimensions: number): number {
  return 8 + codeBytes(dimensions);
}

/** A memory's slot in a chunk: its rowid, then the code of its embedding. */
export function encodeSlot(rowid: number, vector: Float32Array): Buffer {
  const slot = Buffer.alloc(slotBytes(vector.length));
  slot.writeDoubleLE(rowid, 0);
  encodeInto(vector, slot, 8);
  return slot;
}

/** The 2-bit code of a vector: per dimension its level (see LEVELS), four to a byte, lowest bits first. */
export function encodeVector(vector: Float32Array): Uint8Array {
  const code = new Uint8Array(codeBytes(vector.length));
  encodeInto(vector, code, 0);
  return code;
}

/** Writes the code of `vector` into `target` from `offset`, a byte (four dimensions) at a time. */
function encodeInto(vector: Float32Array, target: Uint8Array, offset: number): void {
  const threshold = (LEVEL_THRESHOLD * norm(vector)) / Math.sqrt(vector.length);
  const bytes = codeBytes(vector.length);
  for (let j = 0; j < bytes; j++) {
    let byte = 0;
    for (let k = 0, i = j * 4; k < 4 && i < vector.length; k++, i++) {
      const x = vector[i] as number;
      byte |= (x < -threshold ? 0 : x < 0 ? 1 : x < threshold ? 2 : 3) << (k * 2);
    }
    target[offset + j] = byte;
  }
}

/**
 * The query's estimated similarity to every code of the chunks, and the rowid of a code by its index
 * there. The query is not quantized (asymmetric distance): per code byte, a table holds the query's
 * dot product with each of the byte's 256 level combinations, so a code costs one lookup per four
 * dimensions. Chunks whose bytes start at a multiple of 4 (see {@link alignedCopy}) are read four code
 * bytes at a time, which takes about 30% less time than reading them one by one.
 */
export function estimateSimilarities(
  vector: Float32Array,
  chunks: readonly Uint8Array[],
): { scores: Float32Array; rowidAt: (index: number) => number } {
  const bytes = codeBytes(vector.length);
  const size = slotBytes(vector.length);
  // Where each chunk's slots start among the scores: rowids are decoded for candidates only.
  const starts = new Int32Array(chunks.length);
  let count = 0;
  chunks.forEach((slots, i) => {
    starts[i] = count;
    count += slots.byteLength / size;
  });
  const tables = lookupTables(vector, bytes);
  const scores = new Float32Array(count);
  let n = 0;
  for (const slots of chunks) {
    if (LITTLE_ENDIAN && size % 4 === 0 && slots.byteOffset % 4 === 0)
      n = scoreWords(tables, slots, size, scores, n);
    else n = scoreBytes(tables, slots, size, scores, n);
  }
  const rowidAt = (index: number): number => {
    // The last chunk starting at or before `index` (binary search).
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= index) low = middle;
      else high = middle - 1;
    }
    const chunk = chunks[low] as Uint8Array;
    const offset = (index - (starts[low] as number)) * size;
    return new DataView(chunk.buffer, chunk.byteOffset + offset, 8).getFloat64(0, true);
  };
  return { scores, rowidAt };
}

/**
 * Per code byte j, the query's dot product with each of its 256 level combinations, at
 * `j * 256 + byte`. Float64 tables and four running sums (in the loops below) halve the time of the
 * loop over the codes in V8: one sum is a chain of dependent additions.
 */
function lookupTables(vector: Float32Array, bytes: number): Float64Array {
  const tables = new Float64Array(bytes * 256);
  const parts = new Float64Array(16);
  for (let j = 0; j < bytes; j++) {
    // parts[4k + level]: dimension 4j + k at that level (dimensions past the end add nothing).
    for (let k = 0; k < 4; k++) {
      const x = vector[j * 4 + k] ?? 0;
      for (let level = 0; level < 4; level++) parts[k * 4 + level] = x * LEVELS[level as 0 | 1 | 2 | 3];
    }
    for (let byte = 0; byte < 256; byte++) {
      tables[j * 256 + byte] =
        (parts[byte & 3] as number) +
        (parts[4 + ((byte >> 2) & 3)] as number) +
        (parts[8 + ((byte >> 4) & 3)] as number) +
        (parts[12 + (byte >> 6)] as number);
    }
  }
  return tables;
}

/** Scores the slots of one chunk into `scores` from index `n`, a byte at a time; returns the next index. */
function scoreBytes(
  tables: Float64Array,
  slots: Uint8Array,
  size: number,
  scores: Float32Array,
  n: number,
): number {
  const bytes = size - 8;
  for (let start = 0; start < slots.byteLength; start += size, n++) {
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    // p walks the code's bytes, base the matching table (256 entries per byte).
    let p = start + 8;
    let base = 0;
    const fours = p + (bytes & ~3);
    const end = p + bytes;
    for (; p < fours; p += 4, base += 1024) {
      sum0 += tables[base | (slots[p] as number)] as number;
      sum1 += tables[(base + 256) | (slots[p + 1] as number)] as number;
      sum2 += tables[(base + 512) | (slots[p + 2] as number)] as number;
      sum3 += tables[(base + 768) | (slots[p + 3] as number)] as number;
    }
    for (; p < end; p++, base += 256) sum0 += tables[base | (slots[p] as number)] as number;
    scores[n] = sum0 + sum1 + sum2 + sum3;
  }
  return n;
}

/**
 * The same as {@link scoreBytes} for slots whose size is a multiple of 4 in a chunk starting at a
 * multiple of 4: each 32-bit word holds four code bytes, one load instead of four (little-endian
 * machines only: the first byte is the word's lowest).
 */
function scoreWords(
  tables: Float64Array,
  slots: Uint8Array,
  size: number,
  scores: Float32Array,
  n: number,
): number {
  const words = new Uint32Array(slots.buffer, slots.byteOffset, slots.byteLength >> 2);
  const perSlot = size >> 2;
  for (let start = 0; start < words.length; start += perSlot, n++) {
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    // The rowid takes the slot's first two words.
    for (let w = start + 2, base = 0, end = start + perSlot; w < end; w++, base += 1024) {
      const word = words[w] as number;
      sum0 += tables[base | (word & 255)] as number;
      sum1 += tables[(base + 256) | ((word >>> 8) & 255)] as number;
      sum2 += tables[(base + 512) | ((word >>> 16) & 255)] as number;
      sum3 += tables[(base + 768) | (word >>> 24)] as number;
    }
    scores[n] = sum0 + sum1 + sum2 + sum3;
  }
  return n;
}

/** A copy of `bytes` that starts at a multiple of 4 in its memory (so it can be read by words). */
export function alignedCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new ArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}

/**
 * The indexes of the `count` highest scores (ties by position), which are then set to −∞ so that
 * the next call takes the next best.
 */
export function takeBest(scores: Float32Array, count: number): number[] {
  const threshold = kthLargest(scores.slice(), count);
  const best: number[] = [];
  for (let i = 0; i < scores.length && best.length < count; i++) {
    if ((scores[i] as number) > threshold) best.push(i);
  }
  for (let i = 0; i < scores.length && best.length < count && threshold > -Infinity; i++) {
    if (scores[i] === threshold) best.push(i);
  }
  for (const i of best) scores[i] = -Infinity;
  return best;
}

/**
 * The k-th largest value (k ≥ 1), reordering `values`. Hand-written quickselect (Hoare partition,
 * middle pivot), O(n) on average: sorting 20,000 scores took 6 ms, this takes 0.2 ms.
 */
export function kthLargest(values: Float32Array, k: number): number {
  const target = values.length - k;
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >> 1] as number;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    // values[low..j] ≤ pivot ≤ values[i..high], and everything between equals the pivot.
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else break;
  }
  return values[target] as number;
}

/** A vector's Euclidean length. */
export function norm(vector: Float32Array): number {
  let total = 0;
  for (let i = 0; i < vector.length; i++) total += (vector[i] as number) * (vector[i] as number);
  return Math.sqrt(total);
}

/** A copy of a BLOB's bytes as a Float32Array (a Buffer's offset need not be 4-byte aligned). */
export function toVector(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}
