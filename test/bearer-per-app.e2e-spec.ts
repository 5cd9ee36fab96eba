import { createToken } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** passport-http-bearer per application, not on passport's process-global object (issue 12). */
describe('two applications in one process', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startTestApp();
    // Started last: on passport's global object its strategy would serve both apps.
    second = await startTestApp();
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('verify each Bearer token against their own cache and database', async () => {
    const mine = await createToken(await first.admin(), 'first-app');
    const theirs = await createToken(await second.admin(), 'second-app');
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await first.client().get('/api/v1/me', bearer(mine.token))).status).toBe(200);
    expect((await second.client().get('/api/v1/me', bearer(theirs.token))).status).toBe(200);
    expect((await first.client().get('/api/v1/me', bearer(theirs.token))).status).toBe(401);
    expect((await second.client().get('/api/v1/me', bearer(mine.token))).status).toBe(401);
  });
});
