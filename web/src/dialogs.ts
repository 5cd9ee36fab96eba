import { api, errorText } from './api.js';
import { button, field, h, input, messageBox, uniqueId } from './dom.js';

/**
 * Native <dialog> elements opened with showModal(): focus moves in, Tab stays inside, Escape
 * cancels. Each dialog is removed from the document when it closes, so nothing it showed (above
 * all a token secret) stays in the page.
 */
export function openDialog(
  title: string,
  build: (dialog: HTMLDialogElement) => (Node | null)[],
): HTMLDialogElement {
  const heading = h('h2', { attrs: { id: uniqueId('dialog-title') } }, title);
  const dialog = h('dialog', { attrs: { 'aria-labelledby': heading.id } }, heading);
  for (const node of build(dialog)) if (node) dialog.appendChild(node);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  return dialog;
}

export interface FormDialogOptions {
  title: string;
  intro?: Node | string;
  fields: Node[];
  submitLabel: string;
  danger?: boolean;
  /** Runs the action; throw ApiError to show its message and keep the dialog open. */
  submit(form: HTMLFormElement): Promise<void>;
}

/** A dialog around a form: Enter submits, Escape or Cancel closes, errors show inside. */
export function formDialog(options: FormDialogOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    openDialog(options.title, (dialog) => {
      const form = dialogForm(dialog, options, () => {
        done = true;
        dialog.close();
      });
      dialog.addEventListener('close', () => resolve(done));
      return [form];
    });
  });
}

/** The form inside a form dialog; `succeeded` runs once the action ran without error. */
function dialogForm(
  dialog: HTMLDialogElement,
  options: FormDialogOptions,
  succeeded: () => void,
): HTMLFormElement {
  const message = messageBox();
  const submit = h(
    'button',
    { className: options.danger ? 'danger' : 'primary', attrs: { type: 'submit' } },
    options.submitLabel,
  );
  const form = h(
    'form',
    {
      attrs: { method: 'dialog', novalidate: false },
      on: {
        submit: (event) => {
          event.preventDefault();
          message.clear();
          submit.disabled = true;
          options.submit(form).then(succeeded, (error: unknown) => {
            submit.disabled = false;
            message.show(errorText(error));
          });
        },
      },
    },
    options.intro ? h('div', 'intro', options.intro) : null,
    ...options.fields,
    message.element,
    h(
      'div',
      'actions',
      submit,
      button('Cancel', () => {
        if (!submit.disabled) dialog.close();
      }),
    ),
  );
  // While the call is on its way the dialog stays: its answer (a new secret) must not be lost.
  dialog.addEventListener('cancel', (event) => {
    if (submit.disabled) event.preventDefault();
  });
  return form;
}

/** "Revoke token “ci”?" and the like: resolves true once the action ran without error. */
export function confirmDialog(
  title: string,
  text: string,
  actionLabel: string,
  action: () => Promise<void>,
): Promise<boolean> {
  return formDialog({
    title,
    intro: h('p', null, text),
    fields: [],
    submitLabel: actionLabel,
    danger: true,
    submit: action,
  });
}

/**
 * Shows a new token's secret once, with Copy and the warning. The secret lives only in this
 * dialog's input; closing the dialog removes it from the page.
 */
export function secretDialog(title: string, name: string, secret: string): Promise<void> {
  return new Promise((resolve) => {
    openDialog(title, (dialog) => {
      const value = input({
        type: 'text',
        readonly: true,
        spellcheck: 'false',
        autocomplete: 'off',
      });
      // The property, never the attribute: nothing in the markup carries the secret.
      value.value = secret;
      value.className = 'secret';
      const status = h('p', { className: 'hint', attrs: { role: 'status' } });
      const copy = copyButton(value, status);
      dialog.addEventListener('close', () => {
        value.value = '';
        resolve();
      });
      return [
        h('p', null, 'Your new token ', h('strong', null, name), ':'),
        field('Token secret', value),
        h(
          'p',
          { className: 'warning', attrs: { role: 'note' } },
          'Copy it now: it will not be shown again. Keyhold keeps only a hash of it.',
        ),
        status,
        h(
          'div',
          'actions',
          copy,
          button('Done', () => dialog.close()),
        ),
      ];
    });
  });
}

/** Copies the secret (selecting it first, so a failed copy leaves it ready to copy by hand). */
function copyButton(value: HTMLInputElement, status: HTMLElement): HTMLButtonElement {
  return button(
    'Copy',
    () => {
      value.select();
      const copied = () => (status.textContent = 'Copied to the clipboard.');
      const failed = () =>
        (status.textContent = 'Copying failed: the text is selected, copy it yourself.');
      // The Clipboard API exists only in secure contexts (HTTPS, localhost).
      if (typeof navigator.clipboard?.writeText === 'function') {
        navigator.clipboard.writeText(value.value).then(copied, failed);
      } else if (document.execCommand('copy')) {
        copied();
      } else {
        failed();
      }
    },
    'primary',
  );
}

/** Asks for the password again (POST /auth/reauthenticate); resolves false when cancelled. */
export function reauthenticationDialog(): Promise<boolean> {
  const password = input({
    type: 'password',
    name: 'password',
    required: true,
    autocomplete: 'current-password',
  });
  return formDialog({
    title: 'Confirm your password',
    intro: h('p', null, 'Managing tokens needs your password from the last few minutes.'),
    fields: [field('Password', password)],
    submitLabel: 'Confirm',
    async submit() {
      await api('POST', '/api/v1/auth/reauthenticate', { password: password.value });
      password.value = '';
    },
  });
}
