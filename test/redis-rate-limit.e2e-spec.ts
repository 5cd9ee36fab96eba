import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from './support/database';
import { startTestApp, TestApp } from './support/test-app';

// Needs a Redis server: runs when REDIS_URL is set (e.g. REDIS_URL=redis://127.0.0.1:6379).
const redisUrl = process.env.REDIS_URL;
const describeWithRedis = redisUrl ? describe : describe.skip;

describeWithRedis('rate limits shared through Redis by two instances', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      REDIS_URL: redisUrl as string,
      REDIS_KEY_PREFIX: `keyhold-test-${randomBytes(4).toString('hex')}:`,
      LOGIN_LIMIT_PER_MINUTE: '3',
    };
    a = await startTestApp(env, db);
    b = await startTestApp(env, db);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  it('counts login attempts across instances: the fourth, on either, is 429', async () => {
    const statuses: number[] = [];
    for (const app of [a, b, a, b]) {
      statuses.push((await app.client().login('nobody@example.test', 'wrong-password')).status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});
