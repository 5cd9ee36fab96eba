import { api, ApiError, isUnsupported, query } from '../api.js';
import { badge, Pager, table, timeCell } from '../components.js';
import { confirmDialog, formDialog } from '../dialogs.js';
import {
  announce,
  button,
  field,
  h,
  input,
  messageBox,
  replaceChildren,
  uniqueId,
} from '../dom.js';
import { authMethodLabel } from '../format.js';
import { MANAGE_TOKENS, MANAGE_TOKENS_LABEL, type Me, type Member, type Page } from '../types.js';

const SWITCH_HINT_ID = 'manage-tokens-hint';

interface TeamContext {
  base: string;
  me: Me;
  message: ReturnType<typeof messageBox>;
  reload: () => void;
}

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
        context.message.show(error instanceof ApiError ? error.describe() : String(error));
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
          (error: unknown) =>
            context.message.show(error instanceof ApiError ? error.describe() : String(error)),
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

async function addMember(context: TeamContext): Promise<void> {
  const email = input({ type: 'email', name: 'email', required: true, autocomplete: 'off' });
  const name = input({
    type: 'text',
    name: 'name',
    required: true,
    maxlength: 100,
    autocomplete: 'off',
  });
  const password = input({
    type: 'password',
    name: 'password',
    required: true,
    minlength: 12,
    autocomplete: 'new-password',
  });
  const group = uniqueId('method');
  const methodChoice = (value: string, label: string, checked: boolean) => {
    const radio = input({
      type: 'radio',
      name: group,
      value,
      checked,
      id: uniqueId('method-choice'),
    });
    radio.addEventListener('change', () => {
      const sso = value === 'sso';
      password.disabled = sso;
      password.required = !sso;
      passwordField.hidden = sso;
    });
    return h('div', 'choice', radio, h('label', { attrs: { for: radio.id } }, label));
  };
  const passwordField = field(
    'Initial password',
    password,
    'At least 12 characters; tell it to them another way. They can change it after signing in.',
  );
  const methods = h(
    'fieldset',
    null,
    h('legend', null, 'Sign-in method'),
    methodChoice('password', 'Password', true),
    methodChoice('sso', "The organization's SSO", false),
  );
  let added: Member | undefined;
  const ok = await formDialog({
    title: 'Add member',
    fields: [field('Email', email), field('Name', name), methods, passwordField],
    submitLabel: 'Add member',
    async submit() {
      const sso = methods.querySelector<HTMLInputElement>('input:checked')?.value === 'sso';
      added = await api<Member>('POST', context.base, {
        email: email.value,
        name: name.value,
        authMethod: sso ? 'sso' : 'password',
        ...(sso ? {} : { password: password.value }),
      });
      password.value = '';
    },
  });
  if (ok && added) {
    const text = `${added.name} added. Grant “${MANAGE_TOKENS_LABEL}” if they need tokens.`;
    announce(text);
    context.message.show(text, 'info');
    context.reload();
  }
}

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
      const page = await api<Page<Member>>(
        'GET',
        context.base + query({ limit: pager.limit, cursor: pager.cursor }),
      );
      replaceChildren(
        list,
        table(
          'Members',
          [
            'Member',
            'Sign-in',
            'Status',
            'Superuser',
            MANAGE_TOKENS_LABEL,
            'Last login',
            'Failed logins',
            'Active tokens',
            'Actions',
          ],
          rows(context, page.items),
          'No members.',
        ),
        pager.controls(page.nextCursor, 'Member'),
      );
    } catch (error) {
      message.show(error instanceof ApiError ? error.describe() : String(error));
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
