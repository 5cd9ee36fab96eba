import type { Locator, Page } from 'playwright-core';
import { HttpClient } from './http-client';

/** Signs in through the console's form, as a person would. */
export async function signInInBrowser(page: Page, origin: string, email: string, password: string) {
  await page.context().clearCookies();
  await page.goto(`${origin}/`);
  await page.getByRole('heading', { name: 'Sign in to Keyhold' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// The functions below run in the page; the test's tsconfig has no DOM types, so they are text.

/** Every text the page holds, including form values and attributes (where a secret could hide). */
export async function pageText(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const values = [...document.querySelectorAll('input, textarea')].map((element) => element.value);
    return [document.documentElement.outerHTML, document.body.innerText, ...values].join('\\n');
  })()`);
}

/** True when the element has the keyboard focus. */
export async function isFocused(locator: Locator): Promise<boolean> {
  const marker = `focus-check-${Math.random().toString(36).slice(2)}`;
  await locator.evaluate(
    (element: { setAttribute(name: string, value: string): void }, name: string) =>
      element.setAttribute('data-focus-check', name),
    marker,
  );
  return locator
    .page()
    .evaluate<boolean>(`document.activeElement?.getAttribute('data-focus-check') === '${marker}'`);
}

/** True when the server answers this call with the router's 404 (an endpoint not built yet). */
export async function endpointMissing(
  client: HttpClient,
  method: string,
  path: string,
  body?: unknown,
): Promise<boolean> {
  const response = await client.request(method, path, { body });
  return response.status === 404 && response.body.code === 'not_found';
}

/** The trimmed texts of one column (1-based) of the table with this caption. */
export async function columnTexts(page: Page, caption: string, column: number): Promise<string[]> {
  const table = page.getByRole('table', { name: caption });
  const cells = await table.locator(`tbody tr td:nth-child(${column})`).allInnerTexts();
  return cells.map((text) => text.trim());
}

/**
 * Reads until the value equals `expected` (the page redraws after its API call answers), then
 * asserts it, so a mismatch fails with both values shown. Returns the last value read.
 */
export async function settlesTo<T>(read: () => Promise<T>, expected: T, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  expect(value).toEqual(expected);
  return value;
}
