import { bearer, useTestContext } from './support/context';

/** passport-http-bearer per application, not on passport's process-global object (issue 12). */
describe('two applications in one process', () => {
  const first = useTestContext();
  // Started last: on passport's global object its strategy would serve both apps.
  const second = useTestContext();

  it('verify each Bearer token against their own cache and database', async () => {
    const mine = (await first.newToken(first.admin, { name: 'first-app' })).secret;
    const theirs = (await second.newToken(second.admin, { name: 'second-app' })).secret;
    expect((await first.client().get('/api/v1/me', bearer(mine))).status).toBe(200);
    expect((await second.client().get('/api/v1/me', bearer(theirs))).status).toBe(200);
    expect((await first.client().get('/api/v1/me', bearer(theirs))).status).toBe(401);
    expect((await second.client().get('/api/v1/me', bearer(mine))).status).toBe(401);
  });
});
