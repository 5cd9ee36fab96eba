/** Just enough of the HTTP API to set the scenarios up the way a person would. */
export interface CreatedToken {
  id: string;
  token: string;
}

async function expectStatus(response: Response, status: number, what: string): Promise<string> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${text}`);
  }
  return text;
}

export class AdminSession {
  private constructor(
    private readonly baseUrl: string,
    private readonly cookie: string,
    private readonly csrfToken: string,
  ) {}

  /** Signs in with email and password (session cookie + CSRF token). */
  static async login(baseUrl: string, email: string, password: string): Promise<AdminSession> {
    const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = JSON.parse(await expectStatus(response, 200, 'login')) as { csrfToken?: unknown };
    if (typeof body.csrfToken !== 'string') throw new Error('login: no csrfToken in the response');
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    return new AdminSession(baseUrl, cookie, body.csrfToken);
  }

  private send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookie, 'x-csrf-token': this.csrfToken };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async createToken(name: string): Promise<CreatedToken> {
    const response = await this.send('POST', '/api/v1/profile/tokens', {
      name,
      expiresInDays: null,
    });
    const body = JSON.parse(await expectStatus(response, 201, 'create token')) as {
      id?: unknown;
      token?: unknown;
    };
    if (typeof body.id !== 'string' || typeof body.token !== 'string') {
      throw new Error('create token: the response has no id or token');
    }
    return { id: body.id, token: body.token };
  }

  async revokeToken(id: string): Promise<void> {
    await expectStatus(
      await this.send('DELETE', `/api/v1/profile/tokens/${id}`),
      204,
      'revoke token',
    );
  }
}

/** One request, for the status a scenario's load will get (checked before measuring it). */
export async function probe(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return response.status;
}
