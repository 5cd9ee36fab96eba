import { api, errorText, isUnsupported } from '../api.js';
import { announce, field, h, input, type MessageBox, messageBox, replaceChildren } from '../dom.js';
import type { Me } from '../types.js';

/** POST /api/v1/auth/password {currentPassword, newPassword}: ends your other sessions. */
export function renderPassword(main: HTMLElement, me: Me): void {
  replaceChildren(main, h('h1', { attrs: { tabindex: '-1' } }, 'Change password'));
  if (me.user.authMethod === 'sso') {
    main.appendChild(
      h(
        'p',
        { className: 'message info', attrs: { role: 'note' } },
        "You sign in with your organization's SSO, so you have no Keyhold password to change.",
      ),
    );
    return;
  }
  main.appendChild(passwordForm());
}

const newPasswordInput = (name: string) =>
  input({ type: 'password', name, required: true, minlength: 12, autocomplete: 'new-password' });

function passwordForm(): HTMLFormElement {
  const current = input({
    type: 'password',
    name: 'currentPassword',
    required: true,
    autocomplete: 'current-password',
  });
  const next = newPasswordInput('newPassword');
  const repeat = newPasswordInput('repeatPassword');
  const message = messageBox();
  const submit = h(
    'button',
    { className: 'primary', attrs: { type: 'submit' } },
    'Change password',
  );
  return h(
    'form',
    {
      className: 'card narrow',
      on: {
        submit: (event) => {
          event.preventDefault();
          message.clear();
          if (next.value !== repeat.value) {
            message.show('The two new passwords differ.');
            repeat.focus();
            return;
          }
          submit.disabled = true;
          void changePassword([current, next, repeat], submit, message);
        },
      },
    },
    field('Current password', current),
    field('New password', next, 'At least 12 characters.'),
    field('New password again', repeat),
    message.element,
    h('div', 'actions', submit),
  );
}

function changePassword(
  controls: [current: HTMLInputElement, next: HTMLInputElement, repeat: HTMLInputElement],
  submit: HTMLButtonElement,
  message: MessageBox,
): Promise<void> {
  const [current, next] = controls;
  return api('POST', '/api/v1/auth/password', {
    currentPassword: current.value,
    newPassword: next.value,
  }).then(
    () => {
      for (const control of controls) control.value = '';
      submit.disabled = false;
      message.show('Password changed. Your other sessions were signed out.', 'info');
      announce('Password changed.');
    },
    (error: unknown) => {
      submit.disabled = false;
      message.show(
        isUnsupported(error)
          ? 'This server does not offer password changes yet; an operator can reset it (npm run cli -- user:reset-password).'
          : errorText(error),
      );
    },
  );
}
