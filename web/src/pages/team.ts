import { api, ApiError, errorText, isUnsupported, query } from '../api.js';
import { badge, Pager, table, timeCell } from '../components.js';
import { confirmDialog } from '../dialogs.js';
import { announce, button, h, input, messageBox, replaceChildren } from '../dom.js';
import { authMethodLabel } from '../format.js';
import { MANAGE_TOKENS, MANAGE_TOKENS_LABEL, type Me, type Member, type Page } from '../types.js';

import { addMember, type TeamContext } from './add-member.js';

const SWITCH_HINT_ID = 'manage-tokens-hint';

async function patch(
  context: TeamContext,
  member: Member,
  body: Record<string, unknown>,
): Promise<Member> {
  return api<Member>('PATCH', `${context.base}/${member.id}`, body);
}

function toggle(
  context: TeamContext,
  member: Member,
  label: string,
  checked: boolean,
  change: (on: boolean) => Record<string, unknown>,
  done: (on: boolean, updated: Member) => string,
): HTMLElement {
  const control = input({
    type: 'checkbox',
    role: 'switch',
    checked,
    'aria-label': `${label} for ${member.name}`,
  });
  if (label === MANAGE_TOKENS_LABEL) control.setAttribute('aria-describedby', SWITCH_HINT_ID);
  control.addEventListener('change', () => {
    const on = control.checked;
    control.disabled = true;
    context.message.clear();
    patch(context, member, change(on)).then(
      (updated) => {
        announce(done(on, updated));
        context.message.show(done(on, updated), 'info');
        context.reload();
      },
      (error: unknown) => {
        control.checked = !on;
        control.disabled = false;
        context.message.show(errorText(error));
      },
    );
  });
  return h('label', 'switch', control, h('span', 'switch-text', checked ? 'On' : 'Off'));
}

function activeControl(context: TeamContext, member: Member): HTMLElement {
  if (!member.isActive) {
    return button(
      'Activate',
      () => {
        patch(context, member, { isActive: true }).then(
          () => {
            announce(`${member.name} activated.`);
            context.reload();
          },
          (error: unknown) => context.message.show(errorText(error)),
        );
      },
      'secondary',
      { 'aria-label': `Activate ${member.name}` },
    );
  }
  return button(
    'Deactivate',
    () => {
      void confirmDialog(
        `Deactivate ${member.name}?`,
        `${member.name} (${member.email}) can no longer sign in and their tokens stop working at once. You can activate them again later.`,
        'Deactivate',
        async () => {
          await patch(context, member, { isActive: false });
        },
      ).then((done) => {
        if (!done) return;
        announce(`${member.name} deactivated.`);
        context.reload();
      });
    },
    'danger',
    { 'aria-label': `Deactivate ${member.name}` },
  );
}

function revokeAllControl(context: TeamContext, member: Member): HTMLElement {
  return button(
    'Revoke all tokens',
    () => {
      let revoked = 0;
      void confirmDialog(
        `Revoke all of ${member.name}'s tokens?`,
        `Every active token of ${member.name} (${member.activeTokenCount}) is revoked now and for good; they are emailed the list.`,
        'Revoke all tokens',
        async () => {
          try {
            revoked = (
              await api<{ revoked: number }>('DELETE', `${context.base}/${member.id}/tokens`)
            ).revoked;
          } catch (error) {
            if (isUnsupported(error))
              throw new ApiError({
                status: 404,
                detail: 'This server cannot revoke all of a member’s tokens at once yet.',
              });
            throw error;
          }
        },
      ).then((done) => {
        if (!done) return;
        const text = `${revoked} token${revoked === 1 ? '' : 's'} of ${member.name} revoked.`;
        announce(text);
        context.message.show(text, 'info');
        context.reload();
      });
    },
    'danger',
    {
      'aria-label': `Revoke all tokens of ${member.name}`,
      disabled: member.activeTokenCount === 0,
    },
  );
}

function rows(context: TeamContext, members: Member[]) {
  return members.map((member) => [
    [
      h('strong', null, member.name),
      h('span', 'sub', member.email),
      member.id === context.me.user.id ? badge('You', 'muted') : null,
    ],
    authMethodLabel(member.authMethod),
    member.isActive ? badge('Active', 'ok') : badge('Deactivated', 'danger'),
    toggle(
      context,
      member,
      'Superuser',
      member.isSuperuser,
      (on) => ({ isSuperuser: on }),
      (on) => `${member.name} is ${on ? 'now' : 'no longer'} a superuser.`,
    ),
    toggle(
      context,
      member,
      MANAGE_TOKENS_LABEL,
      member.permissions.includes(MANAGE_TOKENS),
      (on) => ({ permissions: { [MANAGE_TOKENS]: on } }),
      (on, updated) =>
        on
          ? `${member.name} may manage personal API tokens; their tokens work again.`
          : `Withdrawn: ${member.name}'s ${updated.activeTokenCount} token(s) are blocked, not deleted.`,
    ),
    timeCell(member.lastLoginAt, 'Never'),
    String(member.failedLoginCount),
    String(member.activeTokenCount),
    h('div', 'row-actions', activeControl(context, member), revokeAllControl(context, member)),
  ]);
}

const COLUMNS = [
  'Member',
  'Sign-in',
  'Status',
  'Superuser',
  MANAGE_TOKENS_LABEL,
  'Last login',
  'Failed logins',
  'Active tokens',
  'Actions',
];

export function renderTeam(main: HTMLElement, me: Me): void {
  const message = messageBox();
  const list = h('div');
  const pager = new Pager(() => void load());
  const context: TeamContext = {
    base: `/api/v1/organizations/${me.organization.id}/members`,
    me,
    message,
    reload: () => void load(),
  };
  const load = async () => {
    try {
      const page = await pager.latest(
        api<Page<Member>>(
          'GET',
          context.base + query({ limit: pager.limit, cursor: pager.cursor }),
        ),
      );
      replaceChildren(
        list,
        table('Members', COLUMNS, rows(context, page.items), 'No members.'),
        pager.controls(page.nextCursor, 'Member'),
      );
    } catch (error) {
      message.show(errorText(error));
    }
  };
  replaceChildren(
    main,
    h('h1', { attrs: { tabindex: '-1' } }, 'Team'),
    h(
      'p',
      { className: 'intro', attrs: { id: SWITCH_HINT_ID } },
      `“${MANAGE_TOKENS_LABEL}” lets a member hold personal API tokens. Withdrawing it blocks their tokens but keeps them: they work again when it is granted again (revoke them to end them for good).`,
    ),
    h(
      'div',
      'toolbar',
      button('Add member', () => void addMember(context), 'primary'),
    ),
    message.element,
    list,
  );
  void load();
}
