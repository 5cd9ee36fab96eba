import { NestFactory } from '@nestjs/core';
import { CliModule } from '../src/cli/cli.module';
import { runCommand } from '../src/cli/commands';
import { AppConfig } from '../src/config/app-config';
import { expectProblem } from './support/context';
import type { HttpResponse } from './support/http-client';
import { CLIENT_ID, CLIENT_SECRET, useSsoContext } from './support/sso-context';

const PUBLIC_URL = 'http://keyhold.test';

/** Configuring an organization's OpenID Connect provider: the API, its storage, the CLI. */
describe('SSO configuration against a real provider (oidc-provider 8)', () => {
  // The test provider is on loopback, which the outbound policy refuses unless listed.
  const sso = useSsoContext({
    publicUrl: PUBLIC_URL,
    env: () => ({ LOGIN_LIMIT_PER_MINUTE: '1000', SSO_ALLOWED_ISSUER_HOSTS: '127.0.0.1' }),
  });

  it('PUT stores the provider and answers without the secret; GET reads it back', async () => {
    const { t, idp, configured } = sso;
    expect(configured.status).toBe(200);
    const expected = {
      organizationId: t.org.id,
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      allowedEmailDomains: [],
      redirectUri: sso.redirectUri,
      clientSecretSet: true,
    };
    expect(configured.body).toMatchObject(expected);
    const read = await t.admin.get(t.orgPath('/sso'));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject(expected);
    for (const response of [configured, read]) {
      expect(response.text).not.toContain(CLIENT_SECRET);
      expect(Object.keys(response.body)).not.toContain('clientSecret');
    }
  });

  it('keeps the secret only encrypted in the database and out of the logs', async () => {
    const { t } = sso;
    const { rows } = await t.db.sql.query<{ client_secret_encrypted: string }>(
      'select client_secret_encrypted from organization_sso where organization_id = $1',
      [t.org.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].client_secret_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(rows[0].client_secret_encrypted).not.toContain(CLIENT_SECRET);
    const hexSecret = Buffer.from(CLIENT_SECRET).toString('hex');
    const dump = await t.db.sql.query(`select * from organization_sso`);
    expect(JSON.stringify(dump.rows)).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(dump.rows)).not.toContain(hexSecret);
    expect(t.logs.join('\n')).not.toContain(CLIENT_SECRET);
  });

  it('checks the issuer through discovery: unreachable or not exactly the stated issuer', async () => {
    const { t, idp } = sso;
    const path = t.orgPath('/sso');
    const body = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
    const unreachable = await t.admin.request('PUT', path, {
      body: { ...body, issuer: 'http://127.0.0.1:9/nothing' },
    });
    expectProblem(unreachable, 400, 'sso_issuer_invalid');
    const mismatch = await t.admin.request('PUT', path, {
      body: { ...body, issuer: `${idp.issuer}/` },
    });
    expectProblem(mismatch, 400, 'sso_issuer_invalid');
    // What the fetched document said is never echoed (SPEC §5a): the same words either way.
    const generic = (response: HttpResponse, issuer: string) =>
      String(response.body.detail).replace(issuer, '<issuer>');
    expect(generic(mismatch, `${idp.issuer}/`)).toBe(
      generic(unreachable, 'http://127.0.0.1:9/nothing'),
    );
    const unknownField = await t.admin.request('PUT', path, {
      body: { ...body, issuer: idp.issuer, clientSecretPlain: 'x' },
    });
    expectProblem(unknownField, 400, 'validation_failed');
    const badDomain = await t.admin.request('PUT', path, {
      body: { ...body, issuer: idp.issuer, allowedEmailDomains: ['not a domain'] },
    });
    expectProblem(badDomain, 400, 'validation_failed');
    const after = await t.admin.get(path);
    expect(after.body).toMatchObject({ issuer: idp.issuer, allowedEmailDomains: [] });
  });

  it('is for superusers of that organization only, and PUT refuses CSRF-less requests', async () => {
    const { t, idp } = sso;
    const member = await t.newMember({ email: 'pat@example.test', permissions: [] });
    expectProblem(await member.client.get(t.orgPath('/sso')), 403, 'superuser_required');
    const other = '00000000-0000-4000-8000-000000000000';
    expectProblem(await t.admin.get(t.orgPath('/sso', other)), 404, 'organization_not_found');
    const put = await t.admin.request('PUT', t.orgPath('/sso', other), {
      body: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    expectProblem(put, 404, 'organization_not_found');
    const noCsrf = await t.admin.request('PUT', t.orgPath('/sso'), {
      body: { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      csrf: false,
    });
    expectProblem(noCsrf, 403, 'csrf_failed');
    expectProblem(await t.client().get(t.orgPath('/sso')), 401, 'authentication_required');
  });

  it('org:sso (CLI) configures an organization and prints one JSON line without the secret', async () => {
    const { t, idp } = sso;
    // The CLI's own module graph, on the server's config: both must share the secrets key.
    // (No `logger` option: it would replace Nest's process-wide logger under the test app.)
    const context = await NestFactory.createApplicationContext(
      CliModule.register(t.app.get(AppConfig), t.db.url),
    );
    const stdin = { env: {}, readStdin: () => Promise.resolve(CLIENT_SECRET) };
    const realCli = (name: string, args: string[]) => runCommand(context, name, args, stdin);
    const ssoArgs = ['--issuer', idp.issuer, '--client-id', CLIENT_ID];
    let result: Record<string, unknown>;
    let unknownOrg: unknown;
    try {
      await realCli('org:create', ['--name', 'Other Org', '--admin-email', 'boss@other.test']);
      result = await realCli('org:sso', [
        ...['--org', 'other-org', ...ssoArgs, '--client-secret', '-'],
        ...['--allow-domain', 'Other.TEST'],
      ]);
      unknownOrg = await realCli('org:sso', ['--org', 'nope', ...ssoArgs, '--client-secret', '-'])
        .then(() => 'accepted')
        .catch((error: unknown) => error);
    } finally {
      await context.close();
    }
    expect(JSON.stringify(result)).not.toContain(CLIENT_SECRET);
    expect(result).toMatchObject({
      action: 'org:sso',
      organization: { slug: 'other-org' },
      sso: { issuer: idp.issuer, clientId: CLIENT_ID, allowedEmailDomains: ['other.test'] },
    });
    expect(unknownOrg).toMatchObject({ code: 'organization_not_found' });
    const { rows } = await t.db.sql.query<{ client_secret_encrypted: string }>(
      `select s.client_secret_encrypted from organization_sso s
         join organization o on o.id = s.organization_id where o.slug = 'other-org'`,
    );
    expect(rows[0].client_secret_encrypted).not.toContain(CLIENT_SECRET);
  });

  it('documents the SSO endpoints and error codes in OpenAPI', async () => {
    const doc = await sso.t.client().get<{
      paths: Record<string, unknown>;
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    }>('/api/docs-json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/sso/{orgSlug}/start',
        '/api/v1/auth/sso/callback',
        '/api/v1/organizations/{orgId}/sso',
      ]),
    );
    expect(doc.body.components.schemas.Problem.properties.code.enum).toEqual(
      expect.arrayContaining(['sso_state_invalid', 'sso_token_invalid', 'sso_user_unknown']),
    );
  });
});
