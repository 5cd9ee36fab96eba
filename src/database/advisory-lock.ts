import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes a transaction-scoped advisory lock named by `key` (released at commit or rollback): every
 * Keyhold instance that asks for the same key queues behind the holder. Keys are namespaced
 * strings such as `api_token:<user id>`; hashtextextended gives them a 64-bit lock id.
 */
export async function lockForTransaction(em: EntityManager, key: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
}
