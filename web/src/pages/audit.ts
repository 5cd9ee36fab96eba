import { api, ApiError, query } from '../api.js';
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

export async function renderAudit(main: HTMLElement, me: Me): Promise<void> {
  const organization = `/api/v1/organizations/${me.organization.id}`;
  const members = await api<Page<Member>>('GET', `${organization}/members?limit=100`);
  const names = new Map(
    members.items.map((member) => [member.id, `${member.name} (${member.email})`]),
  );
  const people = [
    { value: '', label: 'Anyone' },
    ...members.items.map((member) => ({
      value: member.id,
      label: names.get(member.id) ?? member.id,
    })),
  ];
  const action = select('action', [
    { value: '', label: 'Any action' },
    ...ACTIONS.map((value) => ({ value, label: value })),
  ]);
  const actor = select('actor', people);
  const target = select('targetUser', people);
  const from = input({ type: 'datetime-local', name: 'from' });
  const to = input({ type: 'datetime-local', name: 'to' });
  const message = messageBox();
  const list = h('div');
  const pager = new Pager(() => void load());
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : '—');
  const load = async () => {
    message.clear();
    try {
      const page = await pager.latest(
        api<Page<AuditEvent>>(
          'GET',
          `${organization}/audit-events` +
            query({
              action: action.value,
              actor: actor.value,
              targetUser: target.value,
              from: utc(from.value),
              to: utc(to.value),
              limit: pager.limit,
              cursor: pager.cursor,
            }),
        ),
      );
      const rows = page.items.map((event) => [
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
      replaceChildren(
        list,
        table(
          'Audit events, newest first',
          ['Time', 'Action', 'Actor', 'Target', 'IP', 'Details'],
          rows,
          'No events match these filters.',
        ),
        pager.controls(page.nextCursor, 'Audit'),
      );
    } catch (error) {
      replaceChildren(list);
      message.show(error instanceof ApiError ? error.describe() : String(error));
    }
  };
  const form = h(
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
    field('Action', action),
    field('Actor', actor),
    field('Target user', target),
    field('From (UTC)', from),
    field('To (UTC)', to),
    pager.sizeControl(),
    h(
      'div',
      'actions',
      h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Apply filters'),
    ),
  );
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'Audit log'),
    form,
    message.element,
    list,
  );
  await load();
}
