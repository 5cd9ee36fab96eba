import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); never a browser downloaded by Playwright. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/**
 * Every browser test run takes its screenshots; they replace the README's (docs/screenshots)
 * only with KEYHOLD_UPDATE_SCREENSHOTS=1, so a plain `npm test` leaves the working tree clean.
 */
export const SCREENSHOTS =
  process.env.KEYHOLD_UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs', 'screenshots')
    : join(process.env.KEYHOLD_TEST_DATA_DIR ?? tmpdir(), 'screenshots');

/**
 * `describe` for browser tests: runs when Chromium is installed; otherwise skips with one line,
 * or fails when KEYHOLD_REQUIRE_BROWSER=1 (CI, where .ci/run installs it).
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  if (process.env.KEYHOLD_REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(
          `KEYHOLD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`,
        );
      });
    });
    return;
  }
  process.stderr.write(`skipping browser tests "${name}": ${CHROMIUM} not installed\n`);
  describe.skip(name, body);
}

/** Prints one line saying a test did not run its checks (an endpoint this server lacks). */
export function skipLine(what: string): void {
  process.stderr.write(`skipped (endpoint not on this server yet): ${what}\n`);
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and requests that left the console's origin, so far. */
  problems: string[];
  /** API refusals the browser logged ("Failed to load resource: … 4xx"): expected answers. */
  apiRefusals: string[];
  /** SCREENSHOTS/<name>.png; the whole page unless `fullPage` is false. */
  screenshot(name: string, fullPage?: boolean): Promise<void>;
  close(): Promise<void>;
}

function watch(page: Page, origin: string, problems: string[], apiRefusals: string[]): void {
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const url = message.location().url;
    const refusal = /^Failed to load resource: the server responded with a status of 4\d\d/;
    if (refusal.test(message.text()) && url.startsWith(`${origin}/api/`)) {
      apiRefusals.push(`${message.text()} ${url}`);
      return;
    }
    problems.push(`console ${message.type()}: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && url !== 'about:blank') {
      problems.push(`request to another origin: ${url}`);
    }
  });
}

/** One headless Chromium per test file, with a fresh profile, pointed at the test server. */
export async function openConsoleBrowser(
  origin: string,
  extraArgs: string[] = [],
): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'keyhold-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const apiRefusals: string[] = [];
  watch(page, origin, problems, apiRefusals);
  return {
    context,
    page,
    problems,
    apiRefusals,
    async screenshot(name, fullPage = true) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
