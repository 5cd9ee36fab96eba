import { api, ApiError, isUnsupported } from '../api.js';
import { announce, field, h, input, messageBox, replaceChildren } from '../dom.js';
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
  const current = input({
    type: 'password',
    name: 'currentPassword',
    required: true,
    autocomplete: 'current-password',
  });
  const next = input({
    type: 'password',
    name: 'newPassword',
    required: true,
    minlength: 12,
    autocomplete: 'new-password',
  });
  const repeat = input({
    type: 'password',
    name: 'repeatPassword',
    required: true,
    minlength: 12,
    autocomplete: 'new-password',
  });
  const message = messageBox();
  const submit = h(
    'button',
    { className: 'primary', attrs: { type: 'submit' } },
    'Change password',
  );
  const form = h(
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
          api('POST', '/api/v1/auth/password', {
            currentPassword: current.value,
            newPassword: next.value,
          }).then(
            () => {
              for (const control of [current, next, repeat]) control.value = '';
              submit.disabled = false;
              message.show('Password changed. Your other sessions were signed out.', 'info');
              announce('Password changed.');
            },
            (error: unknown) => {
              submit.disabled = false;
              message.show(
                isUnsupported(error)
                  ? 'This server does not offer password changes yet; an operator can reset it (npm run cli -- user:reset-password).'
                  : error instanceof ApiError
                    ? error.describe()
                    : String(error),
              );
            },
          );
        },
      },
    },
    field('Current password', current),
    field('New password', next, 'At least 12 characters.'),
    field('New password again', repeat),
    message.element,
    h('div', 'actions', submit),
  );
  main.appendChild(form);
}
