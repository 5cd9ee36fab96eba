/** How times and small values read in the console (UTC, like the emails). */

export function formatTime(iso: string | null | undefined, never = '—'): string {
  if (!iso) return never;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "in 29 days", "3 hours ago": next to the absolute time. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(seconds, 'second');
}

export function accessLabel(access: string | undefined): string {
  if (access === 'read_only') return 'Read only';
  if (access === 'read_write') return 'Read and write';
  return 'Read and write';
}

export function authMethodLabel(method: string): string {
  return method === 'sso' ? 'SSO' : 'Password';
}
