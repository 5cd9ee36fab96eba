/**
 * An error from Node's own modules (fs, net, …), told by its `code`. Duck-typed: such errors may
 * come from another realm (e.g. under Jest), where `instanceof Error` is false.
 */
export const isNodeError = (error: unknown): error is NodeJS.ErrnoException =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as NodeJS.ErrnoException).code === 'string';
