import { api, ApiError, isUnsupported } from '../api.js';
import { confirmDialog, formDialog, secretDialog } from '../dialogs.js';
import { announce, field, h, input, select, uniqueId } from '../dom.js';
import type { CreatedToken, Me, TokenItem } from '../types.js';

/** The dialogs of Profile → API tokens: create, rotate (both end in the show-once secret), revoke. */

export const PROFILE_TOKENS_PATH = '/api/v1/profile/tokens';
const EXPIRY_CHOICES = [7, 30, 90, 365];
const OVERLAP_CHOICES = [
  { value: '0', label: 'None: the old token stops working now' },
  { value: '60', label: '1 hour' },
  { value: '1440', label: '1 day' },
  { value: '10080', label: '7 days' },
];

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

/** The lifetime preselected: 30 days, or the longest choice within a shorter cap. */
function defaultExpiry(me: Me): string {
  const cap = me.organization.maxTokenLifetimeDays;
  return typeof cap === 'number' && cap < 30
    ? String(EXPIRY_CHOICES.filter((d) => d <= cap).pop() ?? 7)
    : '30';
}

/** POST /profile/tokens; refusals a person can act on are said in their terms. */
async function postToken(body: Record<string, unknown>): Promise<CreatedToken> {
  try {
    return await api<CreatedToken>('POST', PROFILE_TOKENS_PATH, body);
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
}

/** After a create or rotate dialog: the list reloads and the secret is shown, once. */
async function showNewSecret(
  secret: CreatedToken,
  reload: () => void,
  verb: 'created' | 'rotated',
): Promise<void> {
  reload();
  await secretDialog(`Token ${verb}`, secret.name, secret.token);
  announce(`Token ${secret.name} ${verb}.`);
}

export async function createToken(me: Me, reload: () => void): Promise<void> {
  const name = input({
    type: 'text',
    name: 'name',
    required: true,
    maxlength: 100,
    autocomplete: 'off',
  });
  const cap = me.organization.maxTokenLifetimeDays;
  const expiry = select('expiresInDays', expiryOptions(me), defaultExpiry(me));
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
      created = await postToken(body);
    },
  });
  if (ok && created) {
    const secret = created;
    created = undefined;
    await showNewSecret(secret, reload, 'created');
  }
}

export async function rotateToken(token: TokenItem, reload: () => void): Promise<void> {
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
        created = await api<CreatedToken>('POST', `${PROFILE_TOKENS_PATH}/${token.id}/rotate`, {
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
    await showNewSecret(secret, reload, 'rotated');
  }
}

export function revokeToken(token: TokenItem, reload: () => void): void {
  void confirmDialog(
    `Revoke token “${token.name}”?`,
    `Revoke “${token.name}” (${token.preview})? Anything using it gets 401 from now on. This cannot be undone.`,
    'Revoke token',
    async () => {
      await api('DELETE', `${PROFILE_TOKENS_PATH}/${token.id}`);
    },
  ).then((done) => {
    if (done) {
      announce(`Token ${token.name} revoked.`);
      reload();
    }
  });
}
