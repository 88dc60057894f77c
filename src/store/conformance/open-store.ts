/** A store opened for one test, and how to dispose of it (close connections, drop data). */
export interface OpenedStore<T> {
  store: T;
  close(): Promise<void>;
}

/** Opens a fresh, empty store; conformance suites call it once per test so tests never share data. */
export type OpenStore<T> = () => Promise<OpenedStore<T>>;
