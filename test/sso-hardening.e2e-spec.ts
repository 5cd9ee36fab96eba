import { createServer as createTcpServer, Server, Socket } from 'node:net';
import { expectProblem, TestContext, useTestContext } from './support/context';
import { CLIENT_ID, CLIENT_SECRET, useSsoContext } from './support/sso-context';

const PUBLIC_URL = 'http://keyhold.test';

/** A loopback listener that counts connections and answers each with `serve`. */
async function listener(
  serve: (socket: Socket) => void,
): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const httpAnswer =
  (status: string, body: string, headers = '') =>
  (socket: Socket) =>
    socket.once('data', () =>
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
      ),
    );

/** Configures `issuer` as the organization's provider, as its superuser. */
const putIssuer = (t: TestContext, issuer: string) =>
  t.admin.request('PUT', t.orgPath('/sso'), {
    body: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
  });

describe('SSO outbound fetches: public addresses only (SPEC §5a)', () => {
  const t = useTestContext({ PUBLIC_URL });
  const put = (issuer: string) => putIssuer(t, issuer);

  it('refuses loopback, unspecified and local names before connecting to them', async () => {
    const target = await listener(httpAnswer('200 OK', '{}'));
    try {
      for (const host of ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']) {
        expectProblem(await put(`http://${host}:${target.port}`), 400, 'sso_issuer_not_allowed');
      }
      // Other spellings of loopback are refused too, by the URL rule or by the address policy.
      for (const host of ['127.1', '2130706433', '0x7f000001', '[::ffff:127.0.0.1]', '[::]']) {
        const response = await put(`http://${host}:${target.port}`);
        expect(response.status).toBe(400);
        expect(['sso_issuer_not_allowed', 'validation_failed']).toContain(response.body.code);
      }
      expect(target.connections()).toBe(0);
    } finally {
      await target.close();
    }
    const { rows } = await t.db.sql.query('select count(*)::int as n from organization_sso');
    expect(rows[0].n).toBe(0);
  });
});

describe('SSO outbound fetches to an allowed intranet host say nothing of what they found', () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  const t = useTestContext({ PUBLIC_URL, SSO_ALLOWED_ISSUER_HOSTS: '127.0.0.1' });
  const put = (issuer: string) => putIssuer(t, issuer);

  it('closed, non-HTTP, hanging and wrong-document ports all get the same answer', async () => {
    const closed = await listener((socket) => socket.destroy());
    const garbage = await listener((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    const hanging = await listener(() => undefined);
    const echoing = await listener(
      httpAnswer('200 OK', JSON.stringify({ issuer: 'marker-from-the-fetched-document' })),
    );
    const notFound = await listener(httpAnswer('404 Not Found', '{"secret":"internal-marker"}'));
    servers.push(closed, garbage, hanging, echoing, notFound);
    const answers: string[] = [];
    for (const { port } of [closed, garbage, hanging, echoing, notFound]) {
      const issuer = `http://127.0.0.1:${port}`;
      const response = await put(issuer);
      expectProblem(response, 400, 'sso_issuer_invalid');
      const detail = String(response.body.detail).replace(issuer, '<issuer>');
      expect(detail).not.toMatch(/marker|ECONN|socket|timed out|SSH|\b404\b/i);
      answers.push(detail);
    }
    expect(new Set(answers).size).toBe(1);
  }, 30_000);

  it('follows no redirect: the address it points to is never contacted', async () => {
    const behind = await listener(httpAnswer('200 OK', '{}'));
    const redirecting = await listener(
      httpAnswer('302 Found', '', `Location: http://127.0.0.2:${behind.port}/\r\n`),
    );
    servers.push(behind, redirecting);
    expectProblem(await put(`http://127.0.0.1:${redirecting.port}`), 400, 'sso_issuer_invalid');
    expect(redirecting.connections()).toBe(1);
    expect(behind.connections()).toBe(0);
  });
});

describe('SSO identities are pinned to the provider subject (SPEC §5a)', () => {
  const sso = useSsoContext({
    publicUrl: PUBLIC_URL,
    env: (idp) => ({ SSO_ALLOWED_ISSUER_HOSTS: new URL(idp.issuer).host }),
  });
  beforeAll(async () => {
    expect(sso.configured.status).toBe(200);
    await sso.t.newMember({ email: 'pinned@example.test', sso: true });
    await sso.t.newMember({ email: 'reassigned@example.test', sso: true });
  });

  const ssoLogin = async (email: string) => (await sso.ssoLogin(email)).response;

  const pinnedSubject = async () =>
    (
      await sso.t.db.sql.query(
        `select m.sso_subject from membership m join app_user u on u.id = m.user_id where u.email = $1`,
        ['pinned@example.test'],
      )
    ).rows[0].sso_subject as string | null;

  it('records the sub at the first sign-in and accepts it again', async () => {
    expect(await pinnedSubject()).toBeNull();
    expect((await ssoLogin('pinned@example.test')).status).toBe(302);
    const subject = await pinnedSubject();
    expect(subject).toMatch(/^sub-/);
    expect((await ssoLogin('pinned@example.test')).status).toBe(302);
    expect(await pinnedSubject()).toBe(subject);
  });

  it('refuses the same email under another sub with 403 sso_identity_mismatch', async () => {
    // As if the address had been given to someone else at the provider since the first sign-in.
    await sso.t.db.sql.query(
      `update membership set sso_subject = 'sub-the-original-person' where user_id = (select id from app_user where email = $1)`,
      ['reassigned@example.test'],
    );
    const refused = await ssoLogin('reassigned@example.test');
    expectProblem(refused, 403, 'sso_identity_mismatch');
    expect(refused.headers.get('set-cookie') ?? '').not.toContain('keyhold_session=');
    const { rows } = await sso.t.db.sql.query(
      `select metadata from audit_event where action = 'auth.login.failed' order by occurred_at desc limit 1`,
    );
    expect(rows[0].metadata).toMatchObject({ method: 'sso', reason: 'sso_identity_mismatch' });
  });
});
