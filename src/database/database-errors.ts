import { ConnectionException, DriverException } from '@mikro-orm/core';

/** What a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// SQLSTATE classes and codes meaning "the database cannot serve right now", not "your query is
// wrong": 08 connection exception, 53 insufficient resources (too many connections, disk full),
// 57 operator intervention (statement_timeout's query_canceled, admin shutdown, starting up),
// 25P03 idle_in_transaction_session_timeout, 58 system error (I/O).
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58'];
const UNAVAILABLE_CODES = new Set(['25P03', '55000']);
// Node socket errors of the driver's TCP connection.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// Errors pg and knex raise with no code: connect timeout, client-side query timeout, a pool
// that cannot hand out a connection in time, a connection dropped under a query.
const UNAVAILABLE_MESSAGES =
  /timeout expired|Query read timeout|Connection terminated|Connection ended unexpectedly|Timeout acquiring a connection|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i;

function codeOf(error: object): string | undefined {
  const { code, sqlState } = error as { code?: unknown; sqlState?: unknown };
  if (typeof sqlState === 'string' && sqlState) return sqlState;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `error` says the database is down, refusing, overloaded or not answering in time:
 * the request may succeed later (503), as opposed to a query or data error (a bug, a 500).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ConnectionException) return true;
  const code = codeOf(error);
  if (code) {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_CLASSES.includes(code.slice(0, 2));
  }
  const knexTimeout = error.name === 'KnexTimeoutError';
  const fromDriver = error instanceof DriverException || knexTimeout;
  return (fromDriver || error.name === 'Error') && UNAVAILABLE_MESSAGES.test(error.message);
}

/** Its identifying fields only: a driver error's message carries the SQL with its values inlined. */
export function describeDatabaseError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = codeOf(error);
  const firstLine = error.message.split('\n')[0];
  // Messages of connection errors carry no values; a server error's first line is SQL + message.
  const message = code && /^[0-9A-Z]{5}$/.test(code) ? firstLine.split(' - ').pop() : firstLine;
  return { name: error.name, code, message: message?.slice(0, 200) };
}
