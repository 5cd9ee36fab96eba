/** A mistake in how a command was called: main.ts prints it with the usage text (exit code 1). */
export class UsageError extends Error {}
