/** No retry waits longer than this, whatever MAIL_RETRY_BASE_MS and the attempt count. */
export const MAX_RETRY_DELAY_MS = 15 * 60 * 1000;

/**
 * Delay before the next attempt after `failures` failed ones (≥ 1): base · 2^(failures − 1),
 * capped, then "equal jitter" — a uniform pick in [d/2, d] — so instances that failed together
 * (SMTP outage) do not retry in lockstep, while the delay still grows and never drops to zero.
 */
export function retryDelayMs(
  failures: number,
  baseMs: number,
  random: () => number = Math.random,
  capMs: number = Math.max(MAX_RETRY_DELAY_MS, baseMs),
): number {
  const exponent = Math.max(0, Math.floor(failures) - 1);
  const delay = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.round(delay / 2 + (random() * delay) / 2);
}
