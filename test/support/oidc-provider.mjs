// A real OpenID Provider (oidc-provider 8, ESM-only) for the SSO tests, run as a child process
// because Jest on Node 20 cannot load ESM. Started by test/support/test-idp.ts; prints
// `ISSUER <url>` on stdout once it listens on a random loopback port.
//
// Configuration comes as JSON in IDP_CONFIG: { clientId, clientSecret, redirectUri,
// conformIdTokenClaims? } (conformIdTokenClaims: true puts email only in UserInfo, like Okta).
//
// Test hooks (this is a test double, so they are deliberately unauthenticated):
// - GET /interaction/:uid?email=<email>[&verified=false] logs that person in and consents,
//   with no UI: the "user" is whoever the test names.
// - POST /__test/tamper?mode=forge|expired|audience|issuer rewrites the ID token of the next
//   token response: `forge` re-signs it with a key the provider never published (same kid),
//   the others change a claim and sign it with the provider's real key.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.IDP_CONFIG ?? '{}');
const KID = 'test-key-1';

function rsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey;
}

const realKey = rsaKey();
const rogueKey = rsaKey();
const publishedJwk = { ...realKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' };

/** sub -> claims of everyone who logged in through /interaction. */
const accounts = new Map();
let tamperMode = null;

const subjectFor = (email) =>
  `sub-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`;

const b64url = (value) => Buffer.from(value).toString('base64url');

function resign(idToken, mode) {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === 'audience') claims.aud = 'some-other-client';
  if (mode === 'issuer') claims.iss = 'https://attacker.example';
  const input = `${header}.${b64url(JSON.stringify(claims))}`;
  const key = mode === 'forge' ? rogueKey : realKey;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function readBody(req) {
  return new Promise((resolve) => {
    req.resume();
    req.on('end', resolve);
  });
}

async function interaction(provider, req, res, url) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    const email = url.searchParams.get('email');
    if (!email) {
      res.writeHead(400).end('pass ?email= to log someone in');
      return;
    }
    const sub = subjectFor(email);
    accounts.set(sub, { email, email_verified: url.searchParams.get('verified') !== 'false' });
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({
    accountId: details.session.accountId,
    clientId: details.params.client_id,
  });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } });
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        redirect_uris: [config.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [publishedJwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: config.conformIdTokenClaims === true,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, details) => `/interaction/${details.uid}` },
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      return claims && { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
  });
  provider.on('server_error', (_ctx, error) => process.stderr.write(`${error.stack}\n`));
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && tamperMode && ctx.status === 200 && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, tamperMode) };
      tamperMode = null;
    }
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith('/interaction/')) {
      interaction(provider, req, res, url).catch((error) => {
        process.stderr.write(`${error.stack}\n`);
        if (!res.headersSent) res.writeHead(500).end(String(error.message));
      });
    } else if (url.pathname === '/__test/tamper' && req.method === 'POST') {
      void readBody(req).then(() => {
        tamperMode = url.searchParams.get('mode');
        res.writeHead(204).end();
      });
    } else {
      handle(req, res);
    }
  });
  process.stdout.write(`ISSUER ${issuer}\n`);
});

process.on('SIGTERM', () => process.exit(0));
