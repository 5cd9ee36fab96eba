/**
 * A few DOM helpers instead of a framework. Text always goes in as text nodes (never parsed as
 * HTML), so a token name or an audit detail can never become markup.
 */

type Attributes = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | number | null | undefined | false;
type Handlers = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

export interface Props {
  attrs?: Attributes;
  on?: Handlers;
  className?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | string | null = null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const options: Props = typeof props === 'string' ? { className: props } : (props ?? {});
  if (options.className) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, handler] of Object.entries(options.on ?? {})) {
    element.addEventListener(type, handler as EventListener);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let uniqueCounter = 0;
/** An id for label/for and aria-describedby pairs. */
export function uniqueId(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** A labelled form control: <label for> + the control + an optional hint tied by aria. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLDivElement {
  control.id ||= uniqueId('field');
  const hintElement = hint
    ? h('p', { className: 'hint', attrs: { id: `${control.id}-hint` } }, hint)
    : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', 'field', h('label', { attrs: { for: control.id } }, label), control, hintElement);
}

export function input(attrs: Attributes): HTMLInputElement {
  return h('input', { attrs });
}

export function select(
  name: string,
  options: { value: string; label: string; disabled?: boolean }[],
  selected?: string,
): HTMLSelectElement {
  return h(
    'select',
    { attrs: { name } },
    options.map((option) =>
      h(
        'option',
        {
          attrs: {
            value: option.value,
            selected: option.value === selected,
            disabled: option.disabled,
          },
        },
        option.label,
      ),
    ),
  );
}

export function button(
  label: string,
  onClick: (event: MouseEvent) => void,
  className = 'secondary',
  attrs: Attributes = {},
): HTMLButtonElement {
  return h(
    'button',
    { className, attrs: { type: 'button', ...attrs }, on: { click: onClick } },
    label,
  );
}

/** Announces a short message to screen readers and shows it in the page's status line. */
export function announce(message: string): void {
  const live = document.getElementById('live');
  if (live) live.textContent = message;
}

export interface MessageBox {
  element: HTMLDivElement;
  show(text: string, kind?: 'error' | 'info'): void;
  clear(): void;
}

/** An error or notice box inside a page or dialog (role=alert reads it out at once). */
export function messageBox(): MessageBox {
  const element = h('div', { className: 'message', attrs: { role: 'alert', hidden: true } });
  return {
    element,
    show(text, kind = 'error') {
      element.className = `message ${kind}`;
      element.textContent = text;
      element.hidden = false;
    },
    clear() {
      element.textContent = '';
      element.hidden = true;
    },
  };
}
