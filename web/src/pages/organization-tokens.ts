import { api, errorText, isUnsupported, query } from '../api.js';
import { Pager, table, timeCell } from '../components.js';
import { confirmDialog } from '../dialogs.js';
import {
  announce,
  button,
  field,
  h,
  input,
  type MessageBox,
  messageBox,
  replaceChildren,
  select,
} from '../dom.js';
import { accessLabel } from '../format.js';
import type { Me, Page, TokenItem } from '../types.js';
import { endedWhy, lastUsedCell, recentIpsCell, statusCell } from '../token-cells.js';

const SORTS = [
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: '-lastUsedAt', label: 'Recently used first' },
  { value: 'lastUsedAt', label: 'Least recently used first' },
  { value: 'name', label: 'Name A–Z' },
  { value: '-name', label: 'Name Z–A' },
];
const STATES = [
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive (revoked, expired, rotated)' },
  { value: 'all', label: 'All' },
];

function revoke(base: string, token: TokenItem, reload: () => void): void {
  const owner = token.owner ? `${token.owner.name} (${token.owner.email})` : 'its owner';
  void confirmDialog(
    `Revoke token “${token.name}”?`,
    `Revoke “${token.name}” (${token.preview}) of ${owner}? It stops working at once and for good; the owner is emailed that you revoked it.`,
    'Revoke token',
    async () => {
      await api('DELETE', `${base}/${token.id}`);
    },
  ).then((done) => {
    if (!done) return;
    announce(`Token ${token.name} revoked.`);
    reload();
  });
}

const COLUMNS = [
  'Name',
  'Token',
  'Owner',
  'Access',
  'Created',
  'Expires',
  'Last used',
  'Recent IPs',
  'Status',
  'Actions',
];

function tokenRows(tokens: TokenItem[], me: Me, base: string, reload: () => void) {
  return tokens.map((token) => {
    const inactive = Boolean(
      token.revokedAt ||
      token.expiredAt ||
      (token.expiresAt && new Date(token.expiresAt) <= new Date()),
    );
    return [
      h('strong', null, token.name),
      h('code', null, token.preview),
      token.owner ? [token.owner.name, h('span', 'sub', token.owner.email)] : '—',
      accessLabel(token.access),
      timeCell(token.createdAt),
      timeCell(token.expiresAt, 'Never'),
      lastUsedCell(token),
      recentIpsCell(token),
      inactive ? endedWhy(token) : statusCell(token, token.owner?.id === me.user.id),
      inactive
        ? null
        : button('Revoke', () => revoke(base, token, reload), 'danger', {
            'aria-label': `Revoke ${token.name} of ${token.owner?.name ?? 'its owner'}`,
          }),
    ];
  });
}

interface TokenFilters {
  search: HTMLInputElement;
  sort: HTMLSelectElement;
  state: HTMLSelectElement;
}

function searchForm(filters: TokenFilters, pager: Pager, load: () => Promise<void>) {
  const form = h(
    'form',
    {
      className: 'filters',
      attrs: { role: 'search', 'aria-label': 'Find tokens' },
      on: {
        submit: (event) => {
          event.preventDefault();
          pager.reset();
          void load();
        },
      },
    },
    field('Search', filters.search, 'Token name, preview, owner name or email'),
    field('Sort', filters.sort),
    field('Show', filters.state),
    pager.sizeControl(),
    h('div', 'actions', h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Search')),
  );
  for (const control of [filters.sort, filters.state]) {
    control.addEventListener('change', () => {
      pager.reset();
      void load();
    });
  }
  return form;
}

interface TokenList {
  base: string;
  me: Me;
  filters: TokenFilters;
  pager: Pager;
  message: MessageBox;
  list: HTMLElement;
}

/** GET /organizations/{org}/tokens with the filters and page, drawn into the list. */
async function loadTokens(view: TokenList): Promise<void> {
  const { base, filters, pager, message, list } = view;
  const { search, sort, state } = filters;
  message.clear();
  try {
    const page = await pager.latest(
      api<Page<TokenItem>>(
        'GET',
        base +
          query({
            q: search.value.trim(),
            sort: sort.value,
            state: state.value === 'active' ? undefined : state.value,
            limit: pager.limit,
            cursor: pager.cursor,
          }),
      ),
    );
    replaceChildren(
      list,
      table(
        'Tokens in the organization',
        COLUMNS,
        tokenRows(page.items, view.me, base, () => void loadTokens(view)),
        search.value.trim() ? 'No token matches.' : 'No tokens.',
      ),
      pager.controls(page.nextCursor, 'Token'),
    );
  } catch (error) {
    replaceChildren(list);
    message.show(
      state.value !== 'active' && isUnsupported(error)
        ? 'This server lists only active tokens.'
        : errorText(error),
    );
  }
}

export function renderOrganizationTokens(main: HTMLElement, me: Me): void {
  const view: TokenList = {
    base: `/api/v1/organizations/${me.organization.id}/tokens`,
    me,
    filters: {
      search: input({ type: 'search', name: 'q', maxlength: 100, autocomplete: 'off' }),
      sort: select('sort', SORTS, '-createdAt'),
      state: select('state', STATES, 'active'),
    },
    pager: new Pager(() => void load()),
    message: messageBox(),
    list: h('div'),
  };
  const load = () => loadTokens(view);
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'Organization tokens'),
    h(
      'p',
      'intro',
      'Every personal API token in the organization, with its owner. Secrets are never shown.',
    ),
    searchForm(view.filters, view.pager, load),
    view.message.element,
    view.list,
  );
  void load();
}
