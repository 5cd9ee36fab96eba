import { api, ApiError, isUnsupported, query } from '../api.js';
import { Pager, table, timeCell } from '../components.js';
import { button, h, messageBox, replaceChildren } from '../dom.js';
import { accessLabel } from '../format.js';
import { endedWhy, lastUsedCell, recentIpsCell, statusCell } from '../token-cells.js';
import {
  MANAGE_TOKENS,
  MANAGE_TOKENS_LABEL,
  type Me,
  type Page,
  type TokenItem,
} from '../types.js';
import { PROFILE_TOKENS_PATH, createToken, revokeToken, rotateToken } from './token-dialogs.js';

type Tab = 'active' | 'inactive';

function activeRows(tokens: TokenItem[], reload: () => void) {
  return tokens.map((token) => [
    h('strong', null, token.name),
    h('code', null, token.preview),
    accessLabel(token.access),
    [timeCell(token.createdAt), h('span', 'sub', `from ${token.createdIp}`)],
    timeCell(token.expiresAt, 'Never'),
    lastUsedCell(token),
    recentIpsCell(token),
    statusCell(token, true),
    h(
      'div',
      'row-actions',
      // Already rotated (still inside its overlap): the new token is the one to rotate.
      token.rotatedToId
        ? null
        : button('Rotate', () => void rotateToken(token, reload), 'secondary', {
            'aria-label': `Rotate ${token.name}`,
          }),
      button('Revoke', () => revokeToken(token, reload), 'danger', {
        'aria-label': `Revoke ${token.name}`,
      }),
    ),
  ]);
}

function inactiveRows(tokens: TokenItem[]) {
  return tokens.map((token) => [
    h('strong', null, token.name),
    h('code', null, token.preview),
    accessLabel(token.access),
    timeCell(token.createdAt),
    timeCell(token.revokedAt ?? token.expiredAt ?? token.expiresAt),
    endedWhy(token),
    lastUsedCell(token),
  ]);
}

function permissionMissing(main: HTMLElement): void {
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'API tokens'),
    h(
      'div',
      { className: 'message info', attrs: { role: 'note' } },
      h(
        'p',
        null,
        `You do not hold the permission “${MANAGE_TOKENS_LABEL}”, so you cannot create or list API tokens.`,
      ),
      h(
        'p',
        null,
        'Ask an organization superuser to grant it. Tokens you already have are blocked, not deleted: they work again as soon as it is granted (unless revoked or expired meanwhile).',
      ),
    ),
  );
}

export function renderProfileTokens(main: HTMLElement, me: Me): void {
  if (!me.permissions.includes(MANAGE_TOKENS)) return permissionMissing(main);
  let tab: Tab = 'active';
  const message = messageBox();
  const panel = h('div', { attrs: { role: 'tabpanel', id: 'token-panel', tabindex: '0' } });
  const pager = new Pager(() => void load());
  const tabButton = (value: Tab, label: string) =>
    h(
      'button',
      {
        attrs: { type: 'button', role: 'tab', id: `tab-${value}`, 'aria-controls': 'token-panel' },
        on: { click: () => selectTab(value) },
      },
      label,
    );
  const tabs = {
    active: tabButton('active', 'Active'),
    inactive: tabButton('inactive', 'Inactive'),
  };
  const selectTab = (value: Tab) => {
    tab = value;
    pager.reset();
    void load();
  };
  const load = async () => {
    for (const [value, element] of Object.entries(tabs)) {
      element.setAttribute('aria-selected', String(value === tab));
      element.tabIndex = value === tab ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `tab-${tab}`);
    message.clear();
    try {
      const page = await pager.latest(
        api<Page<TokenItem>>(
          'GET',
          PROFILE_TOKENS_PATH +
            query({ state: tab === 'inactive' ? 'inactive' : undefined, cursor: pager.cursor }),
        ),
      );
      const reload = () => void load();
      replaceChildren(
        panel,
        tab === 'active'
          ? table(
              'Your active tokens',
              [
                'Name',
                'Token',
                'Access',
                'Created',
                'Expires',
                'Last used',
                'Recent IPs',
                'Status',
                'Actions',
              ],
              activeRows(page.items, reload),
              'You have no active tokens yet.',
            )
          : table(
              'Your inactive tokens',
              ['Name', 'Token', 'Access', 'Created', 'Ended', 'Why', 'Last used'],
              inactiveRows(page.items),
              'No revoked, expired or rotated tokens.',
            ),
        pager.controls(page.nextCursor, 'Token'),
      );
    } catch (error) {
      replaceChildren(panel);
      if (error instanceof ApiError && error.code === 'permission_denied')
        return permissionMissing(main);
      message.show(
        tab === 'inactive' && isUnsupported(error)
          ? 'This server does not list inactive tokens yet.'
          : error instanceof ApiError
            ? error.describe()
            : String(error),
      );
    }
  };
  const tablist = h(
    'div',
    { attrs: { role: 'tablist', 'aria-label': 'Token lists' } },
    tabs.active,
    tabs.inactive,
  );
  tablist.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next: Tab = tab === 'active' ? 'inactive' : 'active';
    selectTab(next);
    tabs[next].focus();
  });
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'API tokens'),
    h(
      'p',
      'intro',
      'Personal API tokens let scripts, CLIs and CI call the Keyhold API as you (',
      h('code', null, 'Authorization: Bearer <token>'),
      '). See the ',
      h('a', { attrs: { href: '/api/docs' } }, 'API documentation'),
      '.',
    ),
    h(
      'div',
      'toolbar',
      button('Create token', () => void createToken(me, () => selectTab('active')), 'primary'),
    ),
    message.element,
    tablist,
    panel,
  );
  void load();
}
