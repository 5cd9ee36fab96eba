import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * SPEC §5: a client generated from the committed openapi.json (openapi-typescript + openapi-fetch)
 * compiles with `tsc --strict` and works against a live server with every token header form.
 */
describe('a typed client generated from openapi.json', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(join(tmpdir(), 'keyhold-client-'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('generates, compiles strictly and runs: login, create, each header form, paging, rotate, revoke', async () => {
    await run(process.execPath, [
      join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
      join(ROOT, 'openapi.json'),
      '--output',
      join(dir, 'schema.d.ts'),
    ]);
    await copyFile(join(__dirname, 'support/openapi-client/client.ts'), join(dir, 'client.ts'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noImplicitAny: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          lib: ['ES2023'],
          types: ['node'],
          outDir: 'out',
        },
        files: ['client.ts'],
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch(
      (error: { stdout?: string }) => {
        throw new Error(`the generated client does not compile:\n${error.stdout ?? ''}`);
      },
    );
    const { stdout } = await run(process.execPath, [join(dir, 'out/client.js')], {
      env: {
        ...process.env,
        KEYHOLD_URL: t.baseUrl,
        KEYHOLD_EMAIL: ADMIN_EMAIL,
        KEYHOLD_PASSWORD: ADMIN_PASSWORD,
      },
    });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      signedInAs: ADMIN_EMAIL,
      expiresAt: expect.any(String),
      scoped: 'token',
      refusal: { status: 409, code: 'token_name_taken' },
      pageSizes: [2, 1],
      rotated: {
        status: 201,
        fromMatches: true,
        sameName: 'rotated by client',
        newToken: 200,
        oldTokenInOverlap: 200,
      },
      revokeStatus: 204,
      afterRevoke: { status: 401, code: 'invalid_token' },
      health: 'ok',
    });
    for (const form of ['bearer', 'token', 'clientId']) {
      expect(result.me[form]).toEqual({
        kind: 'token',
        tokenId: expect.any(String),
        requestId: `client-${form}`,
      });
    }
    expect([...result.listedNames].sort()).toEqual(['generated client', 'page a', 'page b']);
    expect(result.owners).toEqual([ADMIN_EMAIL, ADMIN_EMAIL, ADMIN_EMAIL]);
    expect(result.actions.length).toBeGreaterThan(0);
  }, 120_000);
});
