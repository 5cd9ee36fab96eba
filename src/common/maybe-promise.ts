/**
 * The hot path stays synchronous while everything it needs is in memory (a cached token, a cached
 * organization) and becomes a promise only when something has to be read: these carry that.
 */
export type MaybePromise<T> = T | PromiseLike<T>;

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function';

/** `next(value)` now for a plain value; after it settles for a thenable (its then called once). */
export function then<T, R>(
  value: T | PromiseLike<T>,
  next: (value: T) => R,
): R | Promise<Awaited<R>> {
  if (!isThenable(value)) return next(value);
  return Promise.resolve(value).then(next) as Promise<Awaited<R>>;
}
