/** One secret as stored: its value encrypted, never in clear. */
export interface SecretRecord {
  /** The secret's name (`OPENAI_KEY`); also the additional authenticated data of its ciphertext. */
  name: string;
  /** The AES-256-GCM ciphertext followed by its 16-byte authentication tag. */
  ciphertext: Buffer;
  /** The 96-bit nonce this value was encrypted with (random, never reused under one key). */
  nonce: Buffer;
  /** Which master key encrypted it (a fingerprint, not the key), so a wrong key is named as such. */
  keyId: string;
  /** Epoch ms of the first `put` under this name. */
  createdAt: number;
  /** Epoch ms of the last `put` (or key rotation). */
  updatedAt: number;
}

/** What `list` shows of a secret: no value, not even encrypted. */
export interface SecretSummary {
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** Encrypted secrets by name. The store never sees a key or a value in clear. */
export interface SecretStore {
  /** Inserts or replaces the secret `record.name`; a replacement keeps the original `createdAt`. */
  put(record: SecretRecord): Promise<void>;
  /** The stored secret, or undefined. */
  get(name: string): Promise<SecretRecord | undefined>;
  /** Every stored secret, encrypted, ordered by name (key rotation reads them all). */
  all(): Promise<SecretRecord[]>;
  /** Names and dates, ordered by name. */
  list(): Promise<SecretSummary[]>;
  /** Deletes the secret; false when there was none. */
  remove(name: string): Promise<boolean>;
  /**
   * Replaces every stored secret's ciphertext, nonce and keyId in ONE transaction (key rotation):
   * afterwards all records are under the new key or, on any failure, all under the old one.
   * `records` must name exactly the stored secrets; anything else fails with `store.conflict`.
   */
  replaceAll(records: SecretRecord[]): Promise<void>;
}
