import { api, ApiError, errorText, isUnsupported, query } from '../api.js';
import { Pager, table, timeCell } from '../components.js';
import { button, h, type MessageBox, messageBox, replaceChildren } from '../dom.js';
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

function tokenTable(tab: Tab, tokens: TokenItem[], reload: () => void): HTMLElement {
  return tab === 'active'
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
        activeRows(tokens, reload),
        'You have no active tokens yet.',
      )
    : table(
        'Your inactive tokens',
        ['Name', 'Token', 'Access', 'Created', 'Ended', 'Why', 'Last used'],
        inactiveRows(tokens),
        'No revoked, expired or rotated tokens.',
      );
}

function heading(): HTMLElement[] {
  return [
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
  ];
}

/** The Active / Inactive tabs (arrow keys switch between them). */
class TokenTabs {
  tab: Tab = 'active';
  readonly buttons: Record<Tab, HTMLButtonElement>;
  readonly element: HTMLElement;

  constructor(private readonly selected: (tab: Tab) => void) {
    this.buttons = {
      active: this.button('active', 'Active'),
      inactive: this.button('inactive', 'Inactive'),
    };
    this.element = h(
      'div',
      { attrs: { role: 'tablist', 'aria-label': 'Token lists' } },
      this.buttons.active,
      this.buttons.inactive,
    );
    this.element.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const next: Tab = this.tab === 'active' ? 'inactive' : 'active';
      this.select(next);
      this.buttons[next].focus();
    });
  }

  select(tab: Tab): void {
    this.tab = tab;
    this.selected(tab);
  }

  /** Marks the current tab selected and ties the panel to it. */
  mark(panel: HTMLElement): void {
    for (const [value, element] of Object.entries(this.buttons)) {
      element.setAttribute('aria-selected', String(value === this.tab));
      element.tabIndex = value === this.tab ? 0 : -1;
    }
    panel.setAttribute('aria-labelledby', `tab-${this.tab}`);
  }

  private button(value: Tab, label: string): HTMLButtonElement {
    return h(
      'button',
      {
        attrs: { type: 'button', role: 'tab', id: `tab-${value}`, 'aria-controls': 'token-panel' },
        on: { click: () => this.select(value) },
      },
      label,
    );
  }
}

interface TokenPanel {
  main: HTMLElement;
  tabs: TokenTabs;
  pager: Pager;
  message: MessageBox;
  panel: HTMLElement;
}

/** GET /profile/tokens (?state=inactive on that tab), drawn into the tab panel. */
async function loadTokens(view: TokenPanel): Promise<void> {
  const { tabs, pager, message, panel } = view;
  tabs.mark(panel);
  message.clear();
  try {
    const page = await pager.latest(
      api<Page<TokenItem>>(
        'GET',
        PROFILE_TOKENS_PATH +
          query({
            state: tabs.tab === 'inactive' ? 'inactive' : undefined,
            cursor: pager.cursor,
          }),
      ),
    );
    replaceChildren(
      panel,
      tokenTable(tabs.tab, page.items, () => void loadTokens(view)),
      pager.controls(page.nextCursor, 'Token'),
    );
  } catch (error) {
    replaceChildren(panel);
    if (error instanceof ApiError && error.code === 'permission_denied')
      return permissionMissing(view.main);
    message.show(
      tabs.tab === 'inactive' && isUnsupported(error)
        ? 'This server does not list inactive tokens yet.'
        : errorText(error),
    );
  }
}

export function renderProfileTokens(main: HTMLElement, me: Me): void {
  if (!me.permissions.includes(MANAGE_TOKENS)) return permissionMissing(main);
  const view: TokenPanel = {
    main,
    message: messageBox(),
    panel: h('div', { attrs: { role: 'tabpanel', id: 'token-panel', tabindex: '0' } }),
    pager: new Pager(() => void load()),
    tabs: new TokenTabs(() => {
      view.pager.reset();
      void load();
    }),
  };
  const load = () => loadTokens(view);
  replaceChildren(
    main,
    heading(),
    h(
      'div',
      'toolbar',
      button(
        'Create token',
        () => void createToken(me, () => view.tabs.select('active')),
        'primary',
      ),
    ),
    view.message.element,
    view.tabs.element,
    view.panel,
  );
  void load();
}
