import { badge, timeCell } from './components.js';
import { h } from './dom.js';
import { MANAGE_TOKENS_LABEL, type TokenItem } from './types.js';

/** Table cells both token lists share (Profile and Organization tokens). */

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
