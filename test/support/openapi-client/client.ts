// Compiled with `tsc --strict` against the client openapi-typescript generates from openapi.json,
// then run against a live server (test/openapi-client.e2e-spec.ts). No casts, no `any`: if the
// document stops describing a body or a header, this stops compiling.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

type TokenView = components['schemas']['TokenView'];

const baseUrl = process.env.KEYHOLD_URL ?? '';
const email = process.env.KEYHOLD_EMAIL ?? '';
const password = process.env.KEYHOLD_PASSWORD ?? '';

function fail(step: string, status: number): never {
  throw new Error(`${step} answered ${status}`);
}

async function main(): Promise<void> {
  const api = createClient<paths>({ baseUrl });

  const login = await api.POST('/api/v1/auth/login', { body: { email, password } });
  if (!login.data) return fail('login', login.response.status);
  const csrfToken: string = login.data.csrfToken;
  const signedInAs: string = login.data.user.email;
  const cookie = login.response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const session = { headers: { cookie } };
  const unsafe = { header: { 'X-CSRF-Token': csrfToken } };

  const create = (name: string) =>
    api.POST('/api/v1/profile/tokens', {
      ...session,
      params: unsafe,
      body: { name, expiresInDays: 30 },
    });
  const created = await create('generated client');
  if (!created.data) return fail('create', created.response.status);
  const token: string = created.data.token;
  const tokenId: string = created.data.id;
  const expiresAt: string | null = created.data.expiresAt;

  const forms: Record<string, Record<string, string>> = {
    bearer: { authorization: `Bearer ${token}` },
    token: { authorization: `Token ${token}` },
    clientId: { 'x-client-id': tokenId, 'x-api-token': token },
  };
  const me: Record<
    string,
    { kind: 'session' | 'token'; tokenId?: string; requestId: string | null }
  > = {};
  let organizationId = '';
  for (const [form, headers] of Object.entries(forms)) {
    const answer = await api.GET('/api/v1/me', {
      headers,
      params: { header: { 'X-Request-Id': `client-${form}` } },
    });
    if (!answer.data) return fail(`me with ${form}`, answer.response.status);
    organizationId = answer.data.organization.id;
    me[form] = {
      kind: answer.data.auth.kind,
      tokenId: answer.data.auth.tokenId,
      requestId: answer.response.headers.get('x-request-id'),
    };
  }
  const scoped = await api.GET('/api/v1/me', {
    headers: forms.bearer,
    params: { header: { 'X-Organization-Id': organizationId } },
  });

  const duplicate = await create('generated client');
  const refusal = duplicate.error
    ? { status: duplicate.response.status, code: duplicate.error.code }
    : null;

  for (const name of ['page a', 'page b']) {
    const more = await create(name);
    if (!more.data) return fail(`create ${name}`, more.response.status);
  }
  const pages: TokenView[][] = [];
  let cursor: string | undefined;
  do {
    const page = await api.GET('/api/v1/profile/tokens', {
      ...session,
      params: { query: { limit: 2, cursor } },
    });
    if (!page.data) return fail('list', page.response.status);
    pages.push(page.data.items);
    cursor = page.data.nextCursor ?? undefined;
  } while (cursor);

  const organization = await api.GET('/api/v1/organizations/{orgId}/tokens', {
    headers: forms.token,
    params: { path: { orgId: organizationId }, query: { sort: 'name' } },
  });
  if (!organization.data) return fail('organization tokens', organization.response.status);
  const owners: string[] = organization.data.items.map((item) => item.owner.email);

  const audit = await api.GET('/api/v1/organizations/{orgId}/audit-events', {
    headers: forms.clientId,
    params: { path: { orgId: organizationId }, query: { limit: 5 } },
  });
  if (!audit.data) return fail('audit events', audit.response.status);
  const actions: string[] = audit.data.items.map((item) => item.action);

  const toRotate = await create('rotated by client');
  if (!toRotate.data) return fail('create for rotation', toRotate.response.status);
  const rotation = await api.POST('/api/v1/profile/tokens/{id}/rotate', {
    ...session,
    params: { path: { id: toRotate.data.id }, ...unsafe },
    body: { overlapMinutes: 5 },
  });
  if (!rotation.data) return fail('rotate', rotation.response.status);
  const fromId: string = rotation.data.rotatedFromId;
  const withNew = await api.GET('/api/v1/me', {
    headers: { authorization: `Bearer ${rotation.data.token}` },
  });
  const withOld = await api.GET('/api/v1/me', {
    headers: { authorization: `Bearer ${toRotate.data.token}` },
  });

  const revoked = await api.DELETE('/api/v1/profile/tokens/{id}', {
    ...session,
    params: { path: { id: tokenId }, ...unsafe },
  });
  const afterRevoke = await api.GET('/api/v1/me', { headers: forms.bearer });
  const health = await api.GET('/health/live');

  const result = {
    signedInAs,
    expiresAt,
    me,
    scoped: scoped.data?.auth.kind ?? null,
    refusal,
    pageSizes: pages.map((items) => items.length),
    listedNames: pages.flat().map((item) => item.name),
    owners,
    actions,
    rotated: {
      status: rotation.response.status,
      fromMatches: fromId === toRotate.data.id,
      sameName: rotation.data.name,
      newToken: withNew.response.status,
      oldTokenInOverlap: withOld.response.status,
    },
    revokeStatus: revoked.response.status,
    afterRevoke: { status: afterRevoke.response.status, code: afterRevoke.error?.code ?? null },
    health: health.data?.status ?? null,
  };
  process.stdout.write(JSON.stringify(result));
}

void main().catch((error: unknown) => {
  process.stderr.write(String(error));
  process.exitCode = 1;
});
