/** Turns texts into vectors; memory search compares them by cosine similarity. */
export interface EmbeddingModel {
  /** A stable id of the model and its output size, stored with every vector (e.g. `use-lite/en-512`). */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Loads the model ahead of the first `embed` (a model that loads on first use); optional. */
  warm?(): Promise<void>;
}
