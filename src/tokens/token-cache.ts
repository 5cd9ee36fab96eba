import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';

/** What verification needs about a token and its owner, so a hit needs no database. */
export interface VerifiedToken {
  tokenId: string;
  tokenName: string;
  organizationId: string;
  expiresAt: number | null;
  owner: Omit<Principal, 'via' | 'tokenId' | 'tokenName' | 'sessionId' | 'passwordVerifiedAt'> & {
    isActive: boolean;
  };
}

type Entry = { token: VerifiedToken | null; storedAt: number };

/** How change events name what they invalidate (sent over NOTIFY between instances). */
export type AccessChange =
  { kind: 'token'; id: string } | { kind: 'user'; id: string } | { kind: 'all' };

// Bounds what an instance may believe if it misses an invalidation (listener down).
export const POSITIVE_TTL_MS = 30_000;
// Unknown tokens are remembered briefly so that repeats of one bad token cost no query.
export const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

/**
 * In-process cache of verified tokens keyed by digest (LRU by Map order, bounded size, TTL).
 * Revocation, permission and membership changes evict entries here at once, and through
 * PostgreSQL NOTIFY on every other instance (TokenCacheListener).
 */
@Injectable()
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly digestByToken = new Map<string, string>();
  private readonly digestsByUser = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a lookup that raced one must not be cached. */
  private generation = 0;

  get currentGeneration(): number {
    return this.generation;
  }

  get(digest: string): Entry | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    const ttl = entry.token ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS;
    if (Date.now() - entry.storedAt >= ttl) {
      this.delete(digest);
      return undefined;
    }
    // Re-insert to mark it most recently used.
    this.entries.delete(digest);
    this.entries.set(digest, entry);
    return entry;
  }

  /** Stores a lookup begun at `generation`, unless an invalidation happened meanwhile. */
  set(digest: string, token: VerifiedToken | null, generation: number): void {
    if (generation !== this.generation) return;
    const storedAt = Date.now();
    this.delete(digest);
    this.entries.set(digest, { token, storedAt });
    if (token) {
      this.digestByToken.set(token.tokenId, digest);
      const digests = this.digestsByUser.get(token.owner.userId) ?? new Set<string>();
      digests.add(digest);
      this.digestsByUser.set(token.owner.userId, digests);
    }
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
  }

  apply(change: AccessChange): void {
    this.generation += 1;
    if (change.kind === 'all') {
      this.clear();
    } else if (change.kind === 'token') {
      const digest = this.digestByToken.get(change.id);
      if (digest) this.delete(digest);
    } else {
      for (const digest of [...(this.digestsByUser.get(change.id) ?? [])]) this.delete(digest);
    }
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.digestByToken.clear();
    this.digestsByUser.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(digest: string): void {
    const entry = this.entries.get(digest);
    if (!entry) return;
    this.entries.delete(digest);
    if (entry.token) {
      this.digestByToken.delete(entry.token.tokenId);
      const digests = this.digestsByUser.get(entry.token.owner.userId);
      digests?.delete(digest);
      if (digests?.size === 0) this.digestsByUser.delete(entry.token.owner.userId);
    }
  }
}
