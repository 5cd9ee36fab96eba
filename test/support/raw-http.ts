import { connect } from 'node:net';

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are (no client-side validation) and reads one response or the close. */
export function sendRaw(
  port: number,
  request: string | Buffer,
  timeoutMs = 5000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no answer within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 80))}`,
        ),
      );
    }, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const parsed = parse(Buffer.concat(chunks).toString('latin1'));
      if (parsed) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(
        parse(Buffer.concat(chunks).toString('latin1'), true) ?? {
          status: 0,
          headers: {},
          body: '',
        },
      );
    });
  });
}

/** One HTTP/1.1 response with a Content-Length body (or everything until the close). */
function parse(text: string, closed = false): RawResponse | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(end + 4);
  const length = Number(headers['content-length'] ?? NaN);
  if (!closed && Number.isFinite(length) && Buffer.byteLength(body, 'latin1') < length) return null;
  if (!closed && !Number.isFinite(length) && headers['transfer-encoding'] !== 'chunked')
    return null;
  if (!closed && headers['transfer-encoding'] === 'chunked' && !body.endsWith('0\r\n\r\n'))
    return null;
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body };
}
