import { touchIntervalMs } from './sessions.service';

describe('the session touch interval', () => {
  it('is a tenth of the idle window, at most a minute', () => {
    expect(touchIntervalMs(1)).toBe(6_000);
    expect(touchIntervalMs(5)).toBe(30_000);
    expect(touchIntervalMs(10)).toBe(60_000);
    expect(touchIntervalMs(60)).toBe(60_000);
  });
});
