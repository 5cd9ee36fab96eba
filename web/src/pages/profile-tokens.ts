import { api, ApiError, isUnsupported, query } from '../api.js';
import { badge, Pager, table, timeCell } from '../components.js';
import { confirmDialog, formDialog, secretDialog } from '../dialogs.js';
import {
  announce,
  button,
  field,
  h,
  input,
  messageBox,
  replaceChildren,
  select,
  uniqueId,
} from '../dom.js';
import { accessLabel } from '../format.js';
import {
  MANAGE_TOKENS,
  MANAGE_TOKENS_LABEL,
  type CreatedToken,
  type Me,
  type Page,
  type TokenItem,
} from '../types.js';

const BASE = '/api/v1/profile/tokens';
const EXPIRY_CHOICES = [7, 30, 90, 365];
const OVERLAP_CHOICES = [
  { value: '0', label: 'None: the old token stops working now' },
  { value: '60', label: '1 hour' },
  { value: '1440', label: '1 day' },
  { value: '10080', label: '7 days' },
];

type Tab = 'active' | 'inactive';

export function lastUsedCell(token: TokenItem): (Node | string | null)[] {
  if (!token.lastUsedAt) return ['Never used'];
  const request = [token.lastUsedMethod, token.lastUsedPath].filter(Boolean).join(' ');
  return [
    timeCell(token.lastUsedAt),
    request ? h('code', 'sub', request) : null,
    token.lastUsedIp ? h('span', 'sub', `from ${token.lastUsedIp}`) : null,
  ];
}

export function recentIpsCell(token: TokenItem): Node | string {
  if (!token.recentIps || token.recentIps.length === 0) return token.lastUsedIp ?? '—';
  return h(
    'ul',
    'plain',
    token.recentIps.map((entry) =>
      h(
        'li',
        { attrs: { title: `first seen ${entry.firstSeenAt}, last seen ${entry.lastSeenAt}` } },
        entry.ip,
      ),
    ),
  );
}

export function statusCell(token: TokenItem, ownerIsYou: boolean): (Node | null)[] {
  const reason = ownerIsYou
    ? `you no longer hold "${MANAGE_TOKENS_LABEL}"; it works again once a superuser grants it`
    : `the owner lacks "${MANAGE_TOKENS_LABEL}"; it works again once it is granted`;
  return [
    token.blocked ? badge('Blocked', 'warn', reason) : badge('Active', 'ok'),
    token.rotatedToId
      ? badge('Rotated', 'muted', 'replaced by a new token; works until its overlap ends')
      : null,
  ];
}

export function endedWhy(token: TokenItem): string {
  if (token.revokedAt) {
    const by = token.revokedBy;
    if (!by || by.kind === 'owner') return 'Revoked by its owner';
    if (by.kind === 'leak_report') return 'Revoked after a leak report';
    return `Revoked by superuser ${by.name ?? ''}`.trim();
  }
  if (token.rotatedToId) return 'Rotated';
  return 'Expired';
}

function expiryOptions(me: Me): { value: string; label: string; disabled?: boolean }[] {
  const cap = me.organization.maxTokenLifetimeDays;
  const capped = typeof cap === 'number';
  return [
    ...EXPIRY_CHOICES.map((days) => ({
      value: String(days),
      label: `${days} days`,
      disabled: capped && days > cap,
    })),
    { value: 'never', label: 'Never', disabled: capped },
  ];
}

function accessFieldset(): { element: HTMLFieldSetElement; value(): string } {
  const name = uniqueId('access');
  const choice = (value: string, label: string, checked: boolean) => {
    const radio = input({ type: 'radio', name, value, checked, id: uniqueId('access-choice') });
    return h('div', 'choice', radio, h('label', { attrs: { for: radio.id } }, label));
  };
  const element = h(
    'fieldset',
    null,
    h('legend', null, 'Access'),
    choice('read_write', 'Read and write: everything you can do', true),
    choice(
      'read_only',
      'Read only: GET requests only (refused on POST, PUT, PATCH, DELETE)',
      false,
    ),
  );
  return {
    element,
    value: () => element.querySelector<HTMLInputElement>('input:checked')?.value ?? 'read_write',
  };
}

async function createToken(me: Me, reload: () => void): Promise<void> {
  const name = input({
    type: 'text',
    name: 'name',
    required: true,
    maxlength: 100,
    autocomplete: 'off',
  });
  const cap = me.organization.maxTokenLifetimeDays;
  const expiry = select(
    'expiresInDays',
    expiryOptions(me),
    typeof cap === 'number' && cap < 30
      ? String(EXPIRY_CHOICES.filter((d) => d <= cap).pop() ?? 7)
      : '30',
  );
  const access = accessFieldset();
  let created: CreatedToken | undefined;
  const ok = await formDialog({
    title: 'Create token',
    intro: h(
      'p',
      null,
      'A token acts as you from a script, CLI or CI job. Name it after where it will live.',
    ),
    fields: [
      field(
        'Name',
        name,
        'For example "CI deploys" (up to 100 characters, unique among your tokens).',
      ),
      field(
        'Expires',
        expiry,
        typeof cap === 'number' ? `Your organization allows at most ${cap} days.` : undefined,
      ),
      access.element,
    ],
    submitLabel: 'Create token',
    async submit() {
      const body: Record<string, unknown> = {
        name: name.value,
        expiresInDays: expiry.value === 'never' ? null : Number(expiry.value),
      };
      // Sent only when it differs from the server's default (read_write).
      if (access.value() === 'read_only') body.access = 'read_only';
      try {
        created = await api<CreatedToken>('POST', BASE, body);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'token_limit_reached') {
          throw new ApiError({
            ...error.problem,
            detail: `${error.message} Open the Active tab and revoke a token you no longer use.`,
          });
        }
        if (body.access && isUnsupported(error)) {
          throw new ApiError({
            status: 400,
            detail: 'This server does not offer read-only tokens yet.',
          });
        }
        throw error;
      }
    },
  });
  if (ok && created) {
    const secret = created;
    created = undefined;
    reload();
    await secretDialog('Token created', secret.name, secret.token);
    announce(`Token ${secret.name} created.`);
  }
}

async function rotateToken(token: TokenItem, reload: () => void): Promise<void> {
  const overlap = select('overlapMinutes', OVERLAP_CHOICES, '60');
  let created: CreatedToken | undefined;
  const ok = await formDialog({
    title: `Rotate token “${token.name}”`,
    intro: h(
      'p',
      null,
      'You get a new token with the same name. The old one keeps working during the overlap, then stops.',
    ),
    fields: [field('Overlap', overlap, 'Time to deploy the new secret before the old one stops.')],
    submitLabel: 'Rotate token',
    async submit() {
      try {
        created = await api<CreatedToken>('POST', `${BASE}/${token.id}/rotate`, {
          overlapMinutes: Number(overlap.value),
        });
      } catch (error) {
        if (isUnsupported(error))
          throw new ApiError({ status: 404, detail: 'This server does not offer rotation yet.' });
        throw error;
      }
    },
  });
  if (ok && created) {
    const secret = created;
    created = undefined;
    reload();
    await secretDialog('Token rotated', secret.name, secret.token);
    announce(`Token ${secret.name} rotated.`);
  }
}

function revokeToken(token: TokenItem, reload: () => void): void {
  void confirmDialog(
    `Revoke token “${token.name}”?`,
    `Revoke “${token.name}” (${token.preview})? Anything using it gets 401 from now on. This cannot be undone.`,
    'Revoke token',
    async () => {
      await api('DELETE', `${BASE}/${token.id}`);
    },
  ).then((done) => {
    if (done) {
      announce(`Token ${token.name} revoked.`);
      reload();
    }
  });
}

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
      button('Rotate', () => void rotateToken(token, reload), 'secondary', {
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
      const page = await api<Page<TokenItem>>(
        'GET',
        BASE + query({ state: tab === 'inactive' ? 'inactive' : undefined, cursor: pager.cursor }),
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
