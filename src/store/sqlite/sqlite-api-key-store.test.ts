import { describeApiKeyStoreConformance } from '../conformance/api-key-store-conformance.js';
import { openSqliteStores } from './open-sqlite-stores.js';

describeApiKeyStoreConformance('SQLite', async () => {
  const stores = openSqliteStores({ path: ':memory:' });
  return { store: stores.apiKeys, close: () => stores.close() };
});
