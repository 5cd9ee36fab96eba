import { Client } from 'pg';

// The protocol's Sync message ('S', length 4). Sent on its own, outside an extended query, the
// server answers ReadyForQuery without starting a transaction: a liveness ping that costs the
// database nothing (`select 1` would count as a transaction every time).
const SYNC_MESSAGE = Buffer.from([0x53, 0x00, 0x00, 0x00, 0x04]);

interface PgClientInternals {
  connection: {
    stream: { write(data: Buffer): boolean };
    once(event: 'readyForQuery', listener: () => void): void;
    removeListener(event: 'readyForQuery', listener: () => void): void;
  };
  readyForQuery?: boolean;
  _activeQuery?: unknown;
}

/**
 * Proves that the server behind a LISTEN-only connection still answers (a frozen server or a
 * half-open TCP connection looks alive forever otherwise), without a transaction. Only for a
 * connection nobody else sends queries on; when it is busy the ping falls back to `select 1`.
 */
export function pingWithoutTransaction(client: Client, timeoutMs: number): Promise<void> {
  const internals = client as unknown as PgClientInternals;
  return new Promise<void>((resolve, reject) => {
    if (!internals.readyForQuery || internals._activeQuery) {
      const timer = setTimeout(() => reject(new Error('Query read timeout')), timeoutMs);
      client.query('select 1').then(
        () => (clearTimeout(timer), resolve()),
        (error: Error) => (clearTimeout(timer), reject(error)),
      );
      return;
    }
    const answered = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      internals.connection.removeListener('readyForQuery', answered);
      reject(new Error(`Query read timeout: no answer to a ping within ${timeoutMs} ms`));
    }, timeoutMs);
    internals.connection.once('readyForQuery', answered);
    internals.connection.stream.write(SYNC_MESSAGE);
  });
}

export interface PgListenerOptions {
  url: string;
  channel: string;
  /** application_name, so an operator sees it in pg_stat_activity. */
  name: string;
  connectTimeoutMs: number;
  /** 0: no ping (the owner has its own safety net, e.g. a periodic sweep). */
  pingMs: number;
  /** Bound on the LISTEN statement itself (pg's query_timeout); none when unset. */
  queryTimeoutMs?: number;
  onNotification(payload: string): void;
  /** After LISTEN took effect (first time and after every reconnect). */
  onListening(): void;
  /** The connection was lost (it reconnects by itself, with backoff). */
  onLost(error: unknown): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/** One dedicated LISTEN connection that reconnects with backoff until stopped. */
export class PgListener {
  private client?: Client;
  private stopped = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;

  constructor(private readonly options: PgListenerOptions) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { url, channel, name, connectTimeoutMs, pingMs, queryTimeoutMs } = this.options;
    const client = new Client({
      connectionString: url,
      keepAlive: true,
      application_name: name,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: queryTimeoutMs,
    });
    client.on('notification', (message) => {
      if (message.channel === channel) this.options.onNotification(message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.reconnectDelay = RECONNECT_MIN_MS;
      if (pingMs > 0) {
        this.pingTimer = setInterval(() => {
          pingWithoutTransaction(client, pingMs).catch((error: unknown) =>
            this.lost(client, error),
          );
        }, pingMs);
        this.pingTimer.unref();
      }
      this.options.onListening();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client && this.client !== client) return;
    const wasListening = this.client !== undefined;
    this.client = undefined;
    clearInterval(this.pingTimer);
    // A dropped client may still emit: it must not schedule a second reconnect.
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    if (wasListening || this.reconnectDelay === RECONNECT_MIN_MS) this.options.onLost(error);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }
}
