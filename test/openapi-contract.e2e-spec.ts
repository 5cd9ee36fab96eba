import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorCatalogue } from '../src/common/errors/keyhold.exception';
import { openApiDocumentText, previewOpenApiDocument } from '../src/openapi-preview';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const COMMITTED = join(ROOT, 'openapi.json');

interface Response {
  description: string;
  content?: Record<string, { schema?: Record<string, unknown> }>;
  'x-error-codes'?: string[];
}
interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: ({ $ref: string } | { name: string; in: string })[];
  responses: Record<string, Response>;
}
interface Document {
  info: { description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, Record<string, string>>;
    schemas: Record<string, unknown>;
  };
}

const committed = () => JSON.parse(readFileSync(COMMITTED, 'utf8')) as Document;
const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );
const parameterNames = (operation: Operation) =>
  (operation.parameters ?? []).map((p) =>
    '$ref' in p ? p.$ref.replace('#/components/parameters/', '') : p.name,
  );
const schemes = (operation: Operation) =>
  (operation.security ?? []).map((requirement) => Object.keys(requirement).sort().join('+'));

describe('the OpenAPI document (SPEC §5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is committed as openapi.json and not stale (run `npm run openapi` after API changes)', async () => {
    const fresh = openApiDocumentText(await previewOpenApiDocument());
    expect(readFileSync(COMMITTED, 'utf8') === fresh).toBe(true);
  });

  it('is what the running server serves at /api/docs-json', async () => {
    const served = await t.client().get('/api/docs-json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed());
  });

  it('lints with @redocly/cli (recommended rules): no error, only the expected warnings', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', COMMITTED, '--format=json'],
      {
        cwd: ROOT,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; location: { pointer: string }[] }[];
    };
    expect(report.totals.errors).toBe(0);
    // Redirects are the SSO endpoints' success; health answers no 4xx; the product has no licence.
    const expected =
      /^(operation-2xx-response .*sso|operation-4xx-response .*health|info-license )/;
    const warnings = report.problems.map(
      (problem) => `${problem.ruleId} ${problem.location[0]?.pointer ?? ''}`,
    );
    expect(warnings.filter((warning) => !expected.test(warning))).toEqual([]);
    expect(report.totals.warnings).toBeLessThanOrEqual(7);
  }, 60_000);

  it('has servers, readable unique operation ids, summaries and tags, and opens on the operations', () => {
    const document = committed();
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const ids = operations(document).map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);
    expect(ids).toEqual(
      expect.arrayContaining(['listProfileTokens', 'createProfileToken', 'getHealthLive', 'login']),
    );
    for (const { operation } of operations(document)) {
      expect(operation.summary).toBeTruthy();
      expect(operation.tags?.length).toBeGreaterThan(0);
    }
    expect(document.info.description.split('\n').length).toBeLessThan(5);
  });

  it('declares every token form, the session cookie and no JWT format', () => {
    const { securitySchemes } = committed().components;
    expect(securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(securitySchemes.bearer.bearerFormat).toBeUndefined();
    expect(securitySchemes.bearer.description).toContain('khp_');
    expect(securitySchemes.token).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
    expect(securitySchemes.clientId).toMatchObject({ type: 'apiKey', name: 'X-Client-Id' });
    expect(securitySchemes.apiToken).toMatchObject({ type: 'apiKey', name: 'X-Api-Token' });
    expect(securitySchemes.session).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'keyhold_session',
    });
  });

  it('derives security and headers from each route’s auth rule', () => {
    const { paths } = committed();
    const me = paths['/api/v1/me'].get;
    expect(schemes(me)).toEqual(['bearer', 'token', 'apiToken+clientId', 'session']);
    expect(parameterNames(me)).toEqual(
      expect.arrayContaining(['X-Request-Id', 'X-Organization-Id', 'X-Workspace-Id']),
    );
    expect(parameterNames(me)).not.toContain('X-CSRF-Token');
    const create = paths['/api/v1/profile/tokens'].post;
    expect(schemes(create)).toEqual(['session']);
    expect(parameterNames(create)).toContain('X-CSRF-Token');
    expect(parameterNames(create)).not.toContain('X-Organization-Id');
    for (const path of ['/health/live', '/api/v1/auth/login', '/api/v1/token-leaks']) {
      const [operation] = Object.values(paths[path]);
      expect([path, operation.security]).toEqual([path, []]);
      expect(parameterNames(operation)).not.toContain('X-CSRF-Token');
    }
  });

  it('lists per operation every error status with the Problem schema and its codes', () => {
    const document = committed();
    for (const { path, method, operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const where = `${method} ${path} ${status}`;
        const codes = response['x-error-codes'] ?? [];
        expect([where, codes.length > 0]).toEqual([where, true]);
        for (const code of codes) {
          expect([where, code, errorCatalogue.get(code)?.status]).toEqual([
            where,
            code,
            Number(status),
          ]);
        }
        const schema = response.content?.['application/problem+json']?.schema;
        expect(JSON.stringify(schema)).toContain('"#/components/schemas/Problem"');
        expect(JSON.stringify(schema)).toContain(JSON.stringify(codes));
      }
      expect(operation.responses['500']?.['x-error-codes']).toContain('internal_error');
      expect(operation.responses['503']?.['x-error-codes']).toContain('service_unavailable');
    }
    const codes = (path: string, method: string, status: string) =>
      document.paths[path][method].responses[status]?.['x-error-codes'];
    expect(codes('/api/v1/profile/tokens', 'post', '409')).toEqual([
      'token_name_taken',
      'token_limit_reached',
    ]);
    expect(codes('/api/v1/profile/tokens', 'post', '403')).toEqual(
      expect.arrayContaining(['csrf_failed', 'token_not_allowed', 'reauthentication_required']),
    );
    expect(codes('/api/v1/profile/tokens/{id}', 'delete', '404')).toEqual(['token_not_found']);
    expect(codes('/api/v1/me', 'get', '401')).toEqual([
      'authentication_required',
      'invalid_token',
      'session_expired',
    ]);
    expect(codes('/api/v1/me', 'get', '403')).toBeUndefined();
    expect(codes('/api/v1/auth/login', 'post', '401')).toEqual(['invalid_token']);
    expect(codes('/api/v1/auth/login', 'post', '400')).toEqual(
      expect.arrayContaining(['validation_failed', 'malformed_json', 'invalid_credentials']),
    );
    expect(codes('/api/v1/api-token-auth', 'post', '403')).toContain('sso_user');
    expect(codes('/api/v1/token-leaks', 'post', '429')).toEqual(['rate_limited']);
  });

  it('types every success body (no never/unknown in a generated client)', () => {
    const document = committed();
    for (const { path, method, operation } of operations(document)) {
      const successes = Object.entries(operation.responses).filter(
        ([status]) => Number(status) < 400,
      );
      expect([method, path, successes.length > 0]).toEqual([method, path, true]);
      for (const [status, response] of successes) {
        const schema = response.content?.['application/json']?.schema;
        const where = `${method} ${path} ${status}`;
        if (status === '204' || status.startsWith('3'))
          expect([where, schema]).toEqual([where, undefined]);
        else expect([where, typeof schema?.$ref === 'string']).toEqual([where, true]);
      }
    }
    const revoke = document.paths['/api/v1/profile/tokens/{id}'].delete.responses;
    expect(Object.keys(revoke)).toEqual(expect.arrayContaining(['204', '404']));
    const health = document.paths['/health/ready'].get.responses;
    expect(Object.keys(health).sort()).toEqual(['200', '500', '503']);
  });

  it('has a coverage reporter that fails the run on any answer the document lacks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyhold-answers-'));
    const answers = [
      ['GET', '/api/v1/me', 200, null],
      ['GET', '/api/v1/me', 401, 'invalid_token'],
      ['GET', '/api/v1/me', 400, 'malformed_request'],
      ['GET', '/api/docs-json', 200, null],
      ['GET', '/api/v1/me', 409, 'token_name_taken'],
      ['DELETE', '/api/v1/profile/tokens/{id}', 404, 'member_not_found'],
      ['GET', '/api/v1/nowhere', 200, null],
      ['GET', '/health/live', 400, null],
    ];
    await writeFile(join(dir, '1.jsonl'), answers.map((a) => `${JSON.stringify(a)}\n`).join(''));
    const script = `
      const Reporter = require(${JSON.stringify(join(__dirname, 'support/openapi-coverage-reporter.cjs'))});
      const reporter = new Reporter({ rootDir: ${JSON.stringify(ROOT)} });
      reporter.onRunComplete([], { testResults: [{ testFilePath: 'x.e2e-spec.ts' }] });
      process.stdout.write(JSON.stringify(reporter.getLastError()?.message ?? null));`;
    try {
      const { stdout } = await run(process.execPath, ['-e', script], {
        env: { ...process.env, KEYHOLD_OPENAPI_RECORD_DIR: dir },
      });
      const message = JSON.parse(stdout) as string;
      expect(message.split('\n').filter((line) => line.startsWith('  - '))).toEqual([
        '  - DELETE /api/v1/profile/tokens/{id} → 404 member_not_found: code not documented',
        '  - GET /api/v1/me → 409 token_name_taken: status not documented',
        '  - GET /api/v1/nowhere → 200: no such operation',
        '  - GET /health/live → 400: not a problem+json answer with a code',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
