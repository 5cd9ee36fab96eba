import { Injectable } from '@nestjs/common';
import type { TokenPrincipal } from '../common/access/principal';

/** What verification needs about a token and its owner, so a hit needs no database. */
export interface VerifiedToken {
  tokenId: string;
  organizationId: string;
  expiresAt: number | null;
  ownerActive: boolean;
  /** Built once when loaded, frozen, and handed to every request the token authenticates. */
  principal: Readonly<TokenPrincipal>;
}

/** How change events name what they invalidate (sent over NOTIFY between instances). */
export type AccessChange =
  { kind: 'token'; id: string } | { kind: 'user'; id: string } | { kind: 'all' };

// Bounds what an instance may believe between a change and its NOTIFY.
export const POSITIVE_TTL_MS = 30_000;
// Unknown tokens are remembered briefly so that repeats of one bad token cost no query.
export const NEGATIVE_TTL_MS = 5_000;

// A hit moves its entry to the young end of the LRU at most this often (each move is a delete and
// an insert of a 64-character key): eviction order is exact to within this interval.
const TOUCH_INTERVAL_MS = 1_000;

/** A bounded map whose entries expire; Map order doubles as least-recently-used order. */
class ExpiringLru<V> {
  private readonly entries = new Map<string, { value: V; storedAt: number; touchedAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly onDelete: (key: string, value: V) => void = () => undefined,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = Date.now();
    if (now - entry.storedAt >= this.ttlMs) {
      this.delete(key);
      return undefined;
    }
    if (now - entry.touchedAt >= TOUCH_INTERVAL_MS) {
      entry.touchedAt = now;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const now = Date.now();
    this.entries.set(key, { value, storedAt: now, touchedAt: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.onDelete(key, entry.value);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * In-process cache of token lookups keyed by digest. Known tokens and unknown ones live in
 * separate bounded LRUs, so a flood of made-up tokens (anyone can compute a valid checksum)
 * cannot push real tokens out. Revocation, permission and membership changes evict entries at
 * once here, and through PostgreSQL NOTIFY on every other instance (TokenAccessChanges).
 */
@Injectable()
export class TokenCache {
  private readonly digestByToken = new Map<string, string>();
  private readonly digestsByUser = new Map<string, Set<string>>();
  private readonly known = new ExpiringLru<VerifiedToken>(
    50_000,
    POSITIVE_TTL_MS,
    (digest, token) => this.unindex(digest, token),
  );
  private readonly unknown = new ExpiringLru<true>(10_000, NEGATIVE_TTL_MS);
  /** Bumped by every invalidation: a lookup that raced one must not be cached. */
  private generation = 0;

  get currentGeneration(): number {
    return this.generation;
  }

  /** The cached answer: a token, null (known not to exist), or undefined (not cached). */
  get(digest: string): VerifiedToken | null | undefined {
    return this.known.get(digest) ?? (this.unknown.get(digest) ? null : undefined);
  }

  /** Stores a lookup begun at `generation`, unless an invalidation happened meanwhile. */
  set(digest: string, token: VerifiedToken | null, generation: number): void {
    if (generation !== this.generation) return;
    if (!token) {
      this.unknown.set(digest, true);
      return;
    }
    this.known.set(digest, token);
    this.digestByToken.set(token.tokenId, digest);
    const digests = this.digestsByUser.get(token.principal.userId) ?? new Set<string>();
    digests.add(digest);
    this.digestsByUser.set(token.principal.userId, digests);
  }

  apply(change: AccessChange): void {
    this.generation += 1;
    if (change.kind === 'all') {
      this.clear();
    } else if (change.kind === 'token') {
      const digest = this.digestByToken.get(change.id);
      if (digest) this.known.delete(digest);
    } else {
      for (const digest of [...(this.digestsByUser.get(change.id) ?? [])])
        this.known.delete(digest);
    }
  }

  clear(): void {
    this.generation += 1;
    this.known.clear();
    this.unknown.clear();
    this.digestByToken.clear();
    this.digestsByUser.clear();
  }

  get size(): number {
    return this.known.size + this.unknown.size;
  }

  private unindex(digest: string, token: VerifiedToken): void {
    this.digestByToken.delete(token.tokenId);
    const digests = this.digestsByUser.get(token.principal.userId);
    digests?.delete(digest);
    if (digests?.size === 0) this.digestsByUser.delete(token.principal.userId);
  }
}
