/** Turns texts into vectors; memory search compares them by cosine similarity. */
export interface EmbeddingModel {
  /** A stable id of the model and its output size, stored with every vector (e.g. `use-lite/en-512`). */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Loads the model ahead of the first `embed` (a model that loads on first use); optional. */
  warm?(): Promise<void>;
  /**
   * `embed` for background work (indexing what tasks wrote), where the model can keep it apart
   * from queries (USE-lite: a worker of its own), so a query never waits behind it; optional.
   */
  embedInBackground?(texts: readonly string[]): Promise<Float32Array[]>;
}
