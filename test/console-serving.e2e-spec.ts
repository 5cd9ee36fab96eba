import { CONSOLE_CSP } from '../src/console/console';
import { startTestApp, TestApp } from './support/test-app';

/** How the web console is served (SPEC §11), over plain HTTP: no browser needed. */
describe('web console: serving', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the console at / under the strict CSP, without a credential', async () => {
    const response = await fetch(`${t.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; " +
        "form-action 'self'",
    );
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/main.js"></script>');
    // No inline script or style, nothing from another origin.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves the compiled modules and the stylesheet with the same headers', async () => {
    for (const [path, type] of [
      ['/main.js', /javascript/],
      ['/pages/profile-tokens.js', /javascript/],
      ['/console.css', /^text\/css/],
      ['/favicon.svg', /^image\/svg\+xml/],
    ] as const) {
      const response = await fetch(t.baseUrl + path);
      expect([path, response.status]).toEqual([path, 200]);
      expect(response.headers.get('content-type')).toMatch(type);
      expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      // The SVG namespace is a name, not something fetched.
      const body = (await response.text()).replace('xmlns="http://www.w3.org/2000/svg"', '');
      expect(body).not.toMatch(/https?:\/\//);
    }
  });

  it('leaves unknown paths, API or not, to the 404 problem+json', async () => {
    for (const path of ['/api/v1/nothing-here', '/nothing-here', '/pages/missing.js', '/api']) {
      const response = await fetch(t.baseUrl + path, { headers: { accept: 'text/html' } });
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { code: string }).code).toBe('not_found');
    }
  });

  it('does not serve the sources, the build configuration or anything outside web/', async () => {
    for (const path of [
      '/src/main.ts',
      '/main.ts',
      '/tsconfig.json',
      '/../package.json',
      '/.env',
    ]) {
      const response = await fetch(t.baseUrl + path);
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  it('keeps the API itself out of the console headers', async () => {
    const response = await fetch(`${t.baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).not.toBe(CONSOLE_CSP);
  });
});
