import { api, ApiError, errorText } from '../api.js';
import { field, h, input, messageBox, replaceChildren } from '../dom.js';

/** POST /api/v1/auth/login, or the organization's SSO (GET /api/v1/auth/sso/{slug}/start). */
export function renderSignIn(main: HTMLElement, signedIn: () => void): void {
  const email = input({ type: 'email', name: 'email', required: true, autocomplete: 'username' });
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'Sign in to Keyhold'),
    h(
      'div',
      'cards',
      h('section', 'card', passwordSignInForm(email, signedIn)),
      h('section', 'card', ssoSignInForm()),
    ),
    h(
      'p',
      'hint',
      'Scripts use the same API: ',
      h('a', { attrs: { href: '/api/docs' } }, 'API documentation'),
      '.',
    ),
  );
  email.focus();
}

/** Email and password: POST /api/v1/auth/login. */
function passwordSignInForm(email: HTMLInputElement, signedIn: () => void): HTMLFormElement {
  const password = input({
    type: 'password',
    name: 'password',
    required: true,
    autocomplete: 'current-password',
  });
  const message = messageBox();
  const submit = h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Sign in');
  const signIn = () =>
    api(
      'POST',
      '/api/v1/auth/login',
      { email: email.value, password: password.value },
      { anonymous: true },
    ).then(
      () => {
        password.value = '';
        signedIn();
      },
      (error: unknown) => {
        submit.disabled = false;
        const text =
          error instanceof ApiError && error.code === 'sso_required'
            ? `${error.describe()} Use your organization's SSO below.`
            : errorText(error);
        message.show(text);
      },
    );
  return h(
    'form',
    {
      attrs: { 'aria-labelledby': 'password-sign-in' },
      on: {
        submit: (event) => {
          event.preventDefault();
          message.clear();
          submit.disabled = true;
          void signIn();
        },
      },
    },
    h('h2', { attrs: { id: 'password-sign-in' } }, 'With your email and password'),
    field('Email', email),
    field('Password', password),
    message.element,
    h('div', 'actions', submit),
  );
}

/** The organization's SSO: a full navigation to GET /api/v1/auth/sso/{slug}/start. */
function ssoSignInForm(): HTMLFormElement {
  const slug = input({
    type: 'text',
    name: 'organization',
    required: true,
    autocomplete: 'organization',
  });
  return h(
    'form',
    {
      attrs: { 'aria-labelledby': 'sso-sign-in' },
      on: {
        submit: (event) => {
          event.preventDefault();
          // A full navigation: the identity provider sends the browser back to the console (/).
          location.assign(`/api/v1/auth/sso/${encodeURIComponent(slug.value.trim())}/start`);
        },
      },
    },
    h('h2', { attrs: { id: 'sso-sign-in' } }, "With your organization's SSO"),
    field(
      'Organization',
      slug,
      'The short name of your organization, as in its Keyhold address (e.g. example-org).',
    ),
    h(
      'div',
      'actions',
      h(
        'button',
        { className: 'secondary', attrs: { type: 'submit' } },
        "Sign in with your organization's SSO",
      ),
    ),
  );
}
