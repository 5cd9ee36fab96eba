import {
  api,
  ApiError,
  errorText,
  hasSessionCookie,
  onReauthenticationRequired,
  onSignedOut,
} from './api.js';
import { reauthenticationDialog } from './dialogs.js';
import { button, h, replaceChildren } from './dom.js';
import { renderAudit } from './pages/audit.js';
import { renderOrganizationTokens } from './pages/organization-tokens.js';
import { renderPassword } from './pages/password.js';
import { renderProfileTokens } from './pages/profile-tokens.js';
import { renderSignIn } from './pages/sign-in.js';
import { renderTeam } from './pages/team.js';
import type { Me } from './types.js';

/** One page of the console: draws itself into <main> from the API. */
export type PageRenderer = (main: HTMLElement, me: Me) => void | Promise<void>;

interface Route {
  hash: string;
  title: string;
  render: PageRenderer;
  superuser?: boolean;
}

const ROUTES: Route[] = [
  { hash: '#/tokens', title: 'API tokens', render: renderProfileTokens },
  { hash: '#/team', title: 'Team', render: renderTeam, superuser: true },
  {
    hash: '#/organization-tokens',
    title: 'Organization tokens',
    render: renderOrganizationTokens,
    superuser: true,
  },
  { hash: '#/audit', title: 'Audit log', render: renderAudit, superuser: true },
  { hash: '#/password', title: 'Change password', render: renderPassword },
];

let me: Me | null = null;

function mainElement(): HTMLElement {
  const main = document.getElementById('main');
  if (!main) throw new Error('index.html lacks <main id="main">');
  return main;
}

function routeFor(hash: string, who: Me): Route {
  const allowed = ROUTES.filter((route) => !route.superuser || who.isSuperuser);
  return allowed.find((route) => route.hash === hash) ?? allowed[0];
}

function renderTopBar(who: Me | null, active?: Route): void {
  const bar = document.getElementById('topbar');
  if (!bar) return;
  if (!who) {
    replaceChildren(bar, h('span', 'brand', 'Keyhold'));
    return;
  }
  const links = ROUTES.filter((route) => !route.superuser || who.isSuperuser).map((route) =>
    h(
      'a',
      { attrs: { href: route.hash, 'aria-current': route === active ? 'page' : null } },
      route.title,
    ),
  );
  replaceChildren(
    bar,
    h('span', 'brand', 'Keyhold'),
    h('span', 'org', who.organization.name),
    h(
      'nav',
      { attrs: { 'aria-label': 'Console' } },
      h(
        'ul',
        null,
        links.map((link) => h('li', null, link)),
      ),
    ),
    h('span', 'who', `${who.user.name} (${who.user.email})`),
    button('Sign out', () => void signOut()),
  );
}

/** Draws the page the address names; `moved`: the person navigated, so focus its heading. */
async function show(moved = false): Promise<void> {
  const main = mainElement();
  if (!me) {
    renderTopBar(null);
    document.title = 'Sign in · Keyhold';
    renderSignIn(main, () => void start());
    return;
  }
  if (moved) {
    // Permissions may have changed since sign-in (a superuser granting one, even to themselves).
    try {
      me = await api<Me>('GET', '/api/v1/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      throw error;
    }
  }
  const route = routeFor(location.hash, me);
  renderTopBar(me, route);
  document.title = `${route.title} · Keyhold`;
  replaceChildren(main);
  try {
    await route.render(main, me);
    if (moved) main.querySelector<HTMLElement>('h1')?.focus();
  } catch (error) {
    replaceChildren(
      main,
      h('p', { className: 'message error', attrs: { role: 'alert' } }, errorText(error)),
    );
  }
}

async function signOut(): Promise<void> {
  try {
    await api('POST', '/api/v1/auth/logout');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  me = null;
  location.hash = '';
  await show();
}

/** Who is signed in (GET /me), then the page the address names. */
async function start(): Promise<void> {
  me = null;
  if (hasSessionCookie()) {
    try {
      me = await api<Me>('GET', '/api/v1/me', undefined, { anonymous: true });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
  }
  await show();
}

onReauthenticationRequired(reauthenticationDialog);
onSignedOut(() => {
  me = null;
  void show();
});
window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/') || location.hash === '') void show(true);
});
void start();
