import { api, errorText, query } from '../api.js';
import { Pager, table, timeCell } from '../components.js';
import { field, h, input, messageBox, replaceChildren, select } from '../dom.js';
import type { AuditEvent, Me, Member, Page } from '../types.js';

/** SPEC §5's audit actions (the filter offers each). */
const ACTIONS = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.logout',
  'auth.sso.login',
  'auth.reauthenticated',
  'auth.password_changed',
  'token.created',
  'token.revoked',
  'token.rotated',
  'token.used_from_new_ip',
  'token.expired',
  'permission.granted',
  'permission.withdrawn',
  'member.added',
  'member.superuser_granted',
  'member.superuser_withdrawn',
  'member.deactivated',
  'member.activated',
  'member.auth_method_changed',
  'api_token_auth.denied',
];

/** A datetime-local value read as UTC (the console shows every time in UTC). */
function utc(value: string): string | undefined {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

function metadataCell(metadata: Record<string, unknown>): Node | string {
  const entries = Object.entries(metadata ?? {});
  if (entries.length === 0) return '—';
  return h(
    'dl',
    'metadata',
    entries.flatMap(([key, value]) => [
      h('dt', null, key),
      h('dd', null, typeof value === 'string' ? value : JSON.stringify(value)),
    ]),
  );
}

type Who = (id: string | null) => string;

function auditRows(events: AuditEvent[], who: Who) {
  return events.map((event) => [
    timeCell(event.occurredAt),
    h('code', null, event.action),
    [
      who(event.actor.userId),
      h(
        'span',
        'sub',
        `via ${event.actor.via}${event.actor.tokenId ? ` (token ${event.actor.tokenId})` : ''}`,
      ),
    ],
    [
      who(event.targetUserId),
      event.targetTokenId ? h('span', 'sub', `token ${event.targetTokenId}`) : null,
    ],
    event.ip ?? '—',
    metadataCell(event.metadata),
  ]);
}

/** The filter controls; `actor` and `target` offer the organization's members. */
function auditFilters(members: Member[], names: Map<string, string>) {
  const people = [
    { value: '', label: 'Anyone' },
    ...members.map((member) => ({
      value: member.id,
      label: names.get(member.id) ?? member.id,
    })),
  ];
  return {
    action: select('action', [
      { value: '', label: 'Any action' },
      ...ACTIONS.map((value) => ({ value, label: value })),
    ]),
    actor: select('actor', people),
    target: select('targetUser', people),
    from: input({ type: 'datetime-local', name: 'from' }),
    to: input({ type: 'datetime-local', name: 'to' }),
  };
}

type AuditFilters = ReturnType<typeof auditFilters>;

function auditQuery(filters: AuditFilters, pager: Pager): string {
  return query({
    action: filters.action.value,
    actor: filters.actor.value,
    targetUser: filters.target.value,
    from: utc(filters.from.value),
    to: utc(filters.to.value),
    limit: pager.limit,
    cursor: pager.cursor,
  });
}

function filterForm(filters: AuditFilters, pager: Pager, load: () => Promise<void>) {
  return h(
    'form',
    {
      className: 'filters',
      attrs: { role: 'search', 'aria-label': 'Filter audit events' },
      on: {
        submit: (event) => {
          event.preventDefault();
          pager.reset();
          void load();
        },
      },
    },
    field('Action', filters.action),
    field('Actor', filters.actor),
    field('Target user', filters.target),
    field('From (UTC)', filters.from),
    field('To (UTC)', filters.to),
    pager.sizeControl(),
    h(
      'div',
      'actions',
      h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Apply filters'),
    ),
  );
}

export async function renderAudit(main: HTMLElement, me: Me): Promise<void> {
  const organization = `/api/v1/organizations/${me.organization.id}`;
  const members = await api<Page<Member>>('GET', `${organization}/members?limit=100`);
  const names = new Map(
    members.items.map((member) => [member.id, `${member.name} (${member.email})`]),
  );
  const filters = auditFilters(members.items, names);
  const message = messageBox();
  const list = h('div');
  const pager = new Pager(() => void load());
  const who: Who = (id) => (id ? (names.get(id) ?? id) : '—');
  const load = async () => {
    message.clear();
    try {
      const page = await pager.latest(
        api<Page<AuditEvent>>('GET', `${organization}/audit-events${auditQuery(filters, pager)}`),
      );
      replaceChildren(
        list,
        table(
          'Audit events, newest first',
          ['Time', 'Action', 'Actor', 'Target', 'IP', 'Details'],
          auditRows(page.items, who),
          'No events match these filters.',
        ),
        pager.controls(page.nextCursor, 'Audit'),
      );
    } catch (error) {
      replaceChildren(list);
      message.show(errorText(error));
    }
  };
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'Audit log'),
    filterForm(filters, pager, load),
    message.element,
    list,
  );
  await load();
}
