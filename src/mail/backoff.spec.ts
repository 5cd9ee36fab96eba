import { MAX_RETRY_DELAY_MS, retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const top = () => 0.999999;
  const bottom = () => 0;

  it('doubles from the base with each failure (upper end of the jitter)', () => {
    expect([1, 2, 3, 4, 5].map((failures) => retryDelayMs(failures, 1000, top))).toEqual([
      1000, 2000, 4000, 8000, 16000,
    ]);
  });

  it('jitters within [d/2, d], never to zero', () => {
    expect(retryDelayMs(3, 1000, bottom)).toBe(2000);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(3000);
    for (let i = 0; i < 200; i += 1) {
      const delay = retryDelayMs(4, 100);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });

  it('is capped, even for absurd attempt counts', () => {
    expect(retryDelayMs(30, 1000, top)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(5000, 1000, top)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(5000, 1000, bottom)).toBe(MAX_RETRY_DELAY_MS / 2);
    expect(retryDelayMs(10, 50, top, 300)).toBe(300);
  });

  it('treats zero or fractional failure counts as the first retry', () => {
    expect(retryDelayMs(0, 1000, top)).toBe(1000);
    expect(retryDelayMs(1.7, 1000, top)).toBe(1000);
  });
});
