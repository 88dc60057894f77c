/** An API key as stored: never the key itself, only its SHA-256 and its non-secret prefix. */
export interface ApiKeyRecord {
  /** `key_…`: the key's stable id (what audit events and rate limits name). */
  id: string;
  /** A name unique among the keys not revoked (`ci`, `dashboard`). */
  name: string;
  /** `agd_<8 hex>`: identifies the key in listings; not secret. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  /** `admin`, `operator`, `viewer` or `agent`. */
  role: string;
  /** The one tenant the key may see; null: every tenant. */
  tenant: string | null;
  createdAt: number;
  /** Who created it (an actor id). */
  createdBy: string;
  /** When it stops working (ms), or null for never. */
  expiresAt: number | null;
  revokedAt: number | null;
  /** When it last authenticated a request, to within the service's flush interval; null: never. */
  lastUsedAt: number | null;
}

/** Persists API keys. */
export interface ApiKeyStore {
  /** Inserts a key; throws `store.conflict` when the id, the hash or the name of a key not revoked exists. */
  create(key: ApiKeyRecord): Promise<void>;
  /** The key with this hash (revoked and expired ones too: the caller decides), or null. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  /** The key with this id, or null. */
  get(id: string): Promise<ApiKeyRecord | null>;
  /** Every key, newest first; revoked ones only when asked. */
  list(query?: { includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked at `at`; returns false when it does not exist or was already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Records last use for many keys at once; a time older than the one stored is ignored. */
  touch(uses: readonly { id: string; at: number }[]): Promise<void>;
}
