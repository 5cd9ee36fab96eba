import { button, field, h, select } from './dom.js';
import { formatTime, relative } from './format.js';

type Cell = Node | string | null | (Node | string | null)[];

/** A data table with a caption and column headers (what a screen reader announces). */
export function table(
  caption: string,
  headers: string[],
  rows: Cell[][],
  empty: string,
): HTMLElement {
  if (rows.length === 0) return h('p', { className: 'empty', attrs: { role: 'status' } }, empty);
  return h(
    'div',
    'table-wrap',
    h(
      'table',
      null,
      h('caption', null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headers.map((title) => h('th', { attrs: { scope: 'col' } }, title)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((cells) =>
          h(
            'tr',
            null,
            cells.map((cell) => h('td', null, ...(Array.isArray(cell) ? cell : [cell]))),
          ),
        ),
      ),
    ),
  );
}

/** An absolute UTC time with the relative one underneath, in a <time> element. */
export function timeCell(iso: string | null | undefined, never = '—'): Node {
  if (!iso) return document.createTextNode(never);
  return h(
    'time',
    { attrs: { datetime: iso, title: relative(iso) } },
    formatTime(iso),
    h('span', 'sub', relative(iso)),
  );
}

export function badge(
  text: string,
  kind: 'warn' | 'muted' | 'ok' | 'danger',
  description?: string,
): HTMLElement {
  return h(
    'span',
    { className: `badge ${kind}`, attrs: { title: description } },
    text,
    description ? h('span', 'visually-hidden', `: ${description}`) : null,
  );
}

/**
 * Cursor paging as the API offers it (SPEC §5 `nextCursor`): Next follows the cursor, Previous
 * goes back through the cursors already seen.
 */
export class Pager {
  private readonly seen: (string | undefined)[] = [];
  private current: string | undefined;
  /** Rows per page (the API's `limit`, 1–100, default 50). */
  limit = 50;

  constructor(private readonly load: () => void) {}

  /** The "Rows per page" select; changing it starts again at page 1. */
  sizeControl(): HTMLElement {
    const size = select(
      'limit',
      [10, 25, 50, 100].map((n) => ({ value: String(n), label: String(n) })),
      String(this.limit),
    );
    size.addEventListener('change', () => {
      this.limit = Number(size.value);
      this.reset();
      this.load();
    });
    return field('Rows per page', size);
  }

  private calls = 0;

  /**
   * Settles like `call` only while it is the page's latest request: an older answer arriving
   * after a newer one (typing, then changing the sort) never overwrites it.
   */
  latest<T>(call: Promise<T>): Promise<T> {
    const mine = ++this.calls;
    return new Promise<T>((resolve, reject) => {
      call.then(
        (value) => mine === this.calls && resolve(value),
        (error: unknown) =>
          mine === this.calls && reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  get cursor(): string | undefined {
    return this.current;
  }

  reset(): void {
    this.seen.length = 0;
    this.current = undefined;
  }

  controls(nextCursor: string | null, label: string): HTMLElement {
    const previous = button('Previous page', () => {
      this.current = this.seen.pop();
      this.load();
    });
    previous.disabled = this.seen.length === 0;
    const next = button('Next page', () => {
      this.seen.push(this.current);
      this.current = nextCursor ?? undefined;
      this.load();
    });
    next.disabled = nextCursor === null;
    return h(
      'nav',
      { className: 'pager', attrs: { 'aria-label': `${label} pages` } },
      previous,
      h('span', 'page-number', `Page ${this.seen.length + 1}`),
      next,
    );
  }
}
