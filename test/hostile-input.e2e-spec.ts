import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../src/config/app-config';
import { BatteryCase, generateCases, OpenApiDocument } from './support/battery-cases';
import { domainState, dumpDatabase } from './support/db-snapshot';
import { bearer as bearerOf, TestContext } from './support/context';
import type { HttpClient } from './support/http-client';
import { sendRaw } from './support/raw-http';

const CONCURRENCY = 16;
// What a body must never show: a stack frame, SQL, a file path of ours or a framework's error.
const LEAKY =
  /\bat .+:\d+:\d+|node_modules|\/src\/|\bselect .+ from\b|\binsert into\b|FST_ERR|"stack"/i;

interface Outcome {
  label: string;
  status: number;
  problem: string | null;
}

/**
 * SPEC §5a, generated from the OpenAPI document: every operation × anonymous, session and token
 * × wrong types, missing, unknown and prototype-named fields, huge values, control, bidi and
 * lone-surrogate text, deep nesting, bad ids, cursors, limits and sorts, content types and header
 * variants, plus raw request lines. A live token is planted everywhere a client controls.
 */
describe('hostile input battery (SPEC §5a)', () => {
  let t: TestContext;
  let port: number;
  let planted: string;
  let bearer: string;
  let cases: BatteryCase[];
  const outcomes: Outcome[] = [];
  const failures: string[] = [];
  const responses: string[] = [];
  let stateBefore: Record<string, unknown[]>;

  beforeAll(async () => {
    t = await TestContext.start({
      TRUST_PROXY: '1',
      LOGIN_LIMIT_PER_MINUTE: '100000',
      TOKEN_CREATE_LIMIT_PER_MINUTE: '100000',
      TOKEN_CREATE_LIMIT_PER_HOUR: '100000',
    });
    port = Number(new URL(t.baseUrl).port);
    const { admin, org } = t;
    const token = await t.newToken(admin, { name: 'battery' });
    bearer = `Authorization: Bearer ${token.secret}`;
    const planter = await t.newMember({ email: 'planter@example.test' });
    planted = (await t.newToken(planter.client, { name: 'planted' })).secret;
    const document = (await admin.get('/api/docs-json')).body as unknown as OpenApiDocument;
    cases = generateCases(document, {
      planted,
      auth: {
        anonymous: {},
        session: { cookie: sessionCookie(admin), 'x-csrf-token': String(admin.csrfToken) },
        token: bearerOf(token.secret),
      },
      pathValues: { orgId: org.id, orgSlug: org.slug, userId: t.adminId },
    });
    stateBefore = await domainState(t.db.sql);
  }, 120_000);

  afterAll(() => t?.close());

  function sessionCookie(client: HttpClient): string {
    return ['keyhold_session', 'csrf_token']
      .map((name) => `${name}=${client.cookie(name) ?? ''}`)
      .join('; ');
  }

  function judge(label: string, status: number, type: string, text: string, unsafe: boolean) {
    let problem: string | null = null;
    if (status >= 500) problem = `${status}`;
    else if (unsafe && status < 400) problem = `accepted (${status})`;
    else if (status >= 400) {
      let code: unknown;
      try {
        code = (JSON.parse(text) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      if (!type.startsWith('application/problem+json')) problem = `content-type ${type}`;
      else if (typeof code !== 'string' || !/^[a-z][a-z_]+$/.test(code)) problem = 'no code';
    }
    if (!problem && LEAKY.test(text)) problem = 'leaks internals';
    outcomes.push({ label, status, problem });
    if (problem) failures.push(`${label} → ${problem}: ${text.slice(0, 160)}`);
  }

  async function send(one: BatteryCase): Promise<void> {
    const response = await fetch(`${t.baseUrl}${one.path}`, {
      method: one.method,
      headers: one.headers,
      body: one.body,
      redirect: 'manual',
    });
    const text = await response.text();
    responses.push(text, JSON.stringify([...response.headers]));
    judge(
      one.label,
      response.status,
      response.headers.get('content-type') ?? '',
      text,
      one.mustRefuse,
    );
  }

  it('answers every generated request without a 5xx, as problem+json with a code', async () => {
    expect(cases.length).toBeGreaterThan(5000);
    const queue = [...cases];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          try {
            await send(next);
          } catch (error) {
            failures.push(`${next.label} → client error ${String(error)}`);
          }
        }
      }),
    );
    const statuses = outcomes.reduce<Record<number, number>>((counts, { status }) => {
      counts[status] = (counts[status] ?? 0) + 1;
      return counts;
    }, {});
    console.log(
      `battery: ${outcomes.length} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(statuses)}`,
    );
    expect(failures.slice(0, 25)).toEqual([]);
  }, 300_000);

  const RAW_REQUESTS = (host: string, bearer: string): [string, string][] => [
    [
      'absolute-form target',
      `GET http://${host}/api/v1/me HTTP/1.1\r\nHost: ${host}\r\n${bearer}\r\n\r\n`,
    ],
    [
      'absolute-form, other host',
      `GET http://x/api/v1/me HTTP/1.1\r\nHost: x\r\n${bearer}\r\n\r\n`,
    ],
    ['no Host header', 'GET /api/v1/me HTTP/1.1\r\n\r\n'],
    ['HTTP/9.9', `GET /api/v1/me HTTP/9.9\r\nHost: ${host}\r\n\r\n`],
    ['unknown method', `BREW /api/v1/me HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['asterisk target', `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['garbage target', `GET ::: HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['bad percent-encoding', `DELETE /api/v1/profile/tokens/%ZZ HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['NUL in target', `GET /api/v1/\u0000me HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    ['header without colon', `GET /api/v1/me HTTP/1.1\r\nHost: ${host}\r\nBroken\r\n\r\n`],
    ['space before colon', `GET /api/v1/me HTTP/1.1\r\nHost : ${host}\r\n\r\n`],
    ['obs-fold header', `GET /api/v1/me HTTP/1.1\r\nHost: ${host}\r\nX-A: a\r\n b\r\n\r\n`],
    [
      'control character in header',
      `GET /api/v1/me HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: a\u0001b\r\n\r\n`,
    ],
    ['NUL in header', `GET /api/v1/me HTTP/1.1\r\nHost: ${host}\r\nX-Request-Id: a\u0000b\r\n\r\n`],
    [
      'two Content-Lengths',
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    ],
    [
      'Content-Length and chunked',
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      'bad chunk size',
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'negative Content-Length',
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`,
    ],
    [
      'headers over 16 KiB',
      `GET /api/v1/me HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ],
    ['HTTP/1.0 without Host', 'GET /health/live HTTP/1.0\r\n\r\n'],
    ['CONNECT', `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    [
      'upgrade',
      `GET /api/v1/me HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    ],
    ['binary garbage', '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003'],
  ];

  it('answers raw HTTP oddities as problem+json (or a plain close), never a 5xx', async () => {
    const host = `127.0.0.1:${port}`;
    const problems: string[] = [];
    for (const [label, request] of RAW_REQUESTS(host, bearer)) {
      const response = await sendRaw(port, request);
      responses.push(response.body, JSON.stringify(response.headers));
      if (response.status === 0) continue; // closed without a word: allowed for non-HTTP bytes
      if (response.status >= 500) problems.push(`${label}: ${response.status}`);
      if (
        response.status >= 400 &&
        !response.headers['content-type']?.startsWith('application/problem+json')
      ) {
        problems.push(
          `${label}: ${response.status} ${response.headers['content-type']} ${response.body.slice(0, 80)}`,
        );
      }
    }
    expect(problems).toEqual([]);
    // The absolute form is served like the origin form (RFC 9112 §3.2.2), not a 500.
    expect((await sendRaw(port, RAW_REQUESTS(host, bearer)[0][1])).status).toBe(200);
  });

  it('changed nothing: every refused request left the data as it was', async () => {
    expect(await domainState(t.db.sql)).toEqual(stateBefore);
  });

  it('leaked the planted token nowhere: no response, log line, database column or email', async () => {
    const where: string[] = [];
    if (responses.some((text) => text.includes(planted))) where.push('responses');
    if (t.logs.some((line) => line.includes(planted))) where.push('logs');
    const dump = await dumpDatabase(t.db.sql);
    for (const [table, rows] of Object.entries(dump)) {
      if (rows.some((row) => row.includes(planted))) where.push(`table ${table}`);
    }
    const mailDir = t.app.get(AppConfig).mail.dir;
    const files = await readdir(mailDir).catch(() => [] as string[]);
    for (const file of files) {
      if ((await readFile(join(mailDir, file), 'utf8')).includes(planted))
        where.push(`mail ${file}`);
    }
    expect(where).toEqual([]);
    expect(t.logs.length).toBeGreaterThan(1000);
  });
});
