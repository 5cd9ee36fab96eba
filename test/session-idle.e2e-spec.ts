import { startTestApp, TestApp } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Real time, on purpose: the window is the shortest configurable (one minute).
describe('a session in steady use under SESSION_IDLE_MINUTES=1', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SESSION_IDLE_MINUTES: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('used every 15 s, it is still alive past 60 s', async () => {
    const client = await t.admin();
    const statuses: number[] = [];
    for (let elapsed = 15; elapsed <= 75; elapsed += 15) {
      await sleep(15_000);
      statuses.push((await client.get('/api/v1/me')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  }, 120_000);
});
