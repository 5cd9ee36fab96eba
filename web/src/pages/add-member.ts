import { api } from '../api.js';
import { formDialog } from '../dialogs.js';
import { announce, field, h, input, type MessageBox, uniqueId } from '../dom.js';
import { MANAGE_TOKENS_LABEL, type Me, type Member } from '../types.js';

/** What the Team page's actions share. */
export interface TeamContext {
  base: string;
  me: Me;
  message: MessageBox;
  reload: () => void;
}

/** Password or SSO; choosing SSO hides and disables the initial password. */
function signInMethods(
  password: HTMLInputElement,
  passwordField: HTMLElement,
): HTMLFieldSetElement {
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
  return h(
    'fieldset',
    null,
    h('legend', null, 'Sign-in method'),
    methodChoice('password', 'Password', true),
    methodChoice('sso', "The organization's SSO", false),
  );
}

/** The "Add member" dialog: POST /organizations/{org}/members (password or SSO account). */
export async function addMember(context: TeamContext): Promise<void> {
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
  const passwordField = field(
    'Initial password',
    password,
    'At least 12 characters; tell it to them another way. They can change it after signing in.',
  );
  const methods = signInMethods(password, passwordField);
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
