// A real OpenID Connect provider (panva/oidc-provider) on 127.0.0.1, for the end-to-end
// sign-in tests only. Started by tests/support/idp.py; never used outside tests.
//
// Environment:
//   IDP_PORT           port to listen on (127.0.0.1 only)                      default 9400
//   IDP_CLIENT_ID      the one registered client                              default widget-e2e
//   IDP_CLIENT_SECRET  its secret (client_secret_basic or client_secret_post) default widget-e2e-secret
//   IDP_REDIRECT_URIS  comma-separated exact redirect URIs                    required
//   IDP_PICTURE_URL    `picture` claim of every account                       default: no picture
//   IDP_COOP=1         every response sends Cross-Origin-Opener-Policy: same-origin
//                      (POST /__test__/coop/on or /off switches it while running)
//   IDP_TTL            lifetime in seconds of sessions, interactions, grants, tokens  default 600
//                      (authorization codes live min(60, IDP_TTL))
//
// Sign-in pages are oidc-provider's devInteractions: a login form (inputs `login`, `password`,
// button "Sign-in"; any login is accepted and becomes `sub`), then a consent form (button
// "Continue"). Scope claims (name, email, picture, ...) come from the UserInfo endpoint only
// (oidc-provider's default conformIdTokenClaims), so the app under test must call userinfo.
import http from 'node:http';

import Provider from 'oidc-provider';

const PORT = Number(process.env.IDP_PORT ?? 9400);
const HOST = '127.0.0.1';
const ISSUER = `http://${HOST}:${PORT}`;
const CLIENT_ID = process.env.IDP_CLIENT_ID || 'widget-e2e';
const CLIENT_SECRET = process.env.IDP_CLIENT_SECRET || 'widget-e2e-secret';
const REDIRECT_URIS = (process.env.IDP_REDIRECT_URIS ?? '')
  .split(',').map((uri) => uri.trim()).filter(Boolean);
const PICTURE_URL = process.env.IDP_PICTURE_URL || undefined;
const COOP = process.env.IDP_COOP === '1';
const TTL = Number(process.env.IDP_TTL || 600);

if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error(`IDP_PORT must be a port number, got ${process.env.IDP_PORT}`);
  process.exit(2);
}
if (REDIRECT_URIS.length === 0) {
  console.error('IDP_REDIRECT_URIS must list at least one redirect URI (comma-separated)');
  process.exit(2);
}
if (!Number.isInteger(TTL) || TTL <= 0) {
  console.error(`IDP_TTL must be a positive number of seconds, got ${process.env.IDP_TTL}`);
  process.exit(2);
}

const KNOWN_NAMES = { alice: 'Alice Example', bob: 'Bob Example' };

function claimsFor(login) {
  const claims = {
    sub: login,
    name: KNOWN_NAMES[login] ?? login.charAt(0).toUpperCase() + login.slice(1),
    email: `${login}@example.test`,
    email_verified: true,
    profile: `https://profiles.example.test/${encodeURIComponent(login)}`,
  };
  if (PICTURE_URL) claims.picture = PICTURE_URL;
  return claims;
}

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: REDIRECT_URIS,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // A confidential client registered as client_secret_basic (what Authlib sends when a secret
    // is set); oidc-provider also accepts the secret in the body (client_secret_post) for it.
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'picture', 'profile'],
  },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return claimsFor(sub); } };
  },
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
  cookies: { keys: ['e2e-test-only-cookie-key-not-a-secret'] },
  features: { devInteractions: { enabled: true } },
  ttl: {
    AccessToken: TTL,
    AuthorizationCode: Math.min(60, TTL),
    IdToken: TTL,
    Interaction: TTL,
    Session: TTL,
    Grant: TTL,
  },
});

const handle = provider.callback();

// Tests switch COOP on and off at run time (POST /__test__/coop/on|off), so that one provider
// and one service under test cover both the opener-kept and the opener-cut sign-in.
let coop = COOP;

const server = http.createServer((req, res) => {
  const toggle = /^\/__test__\/coop\/(on|off)$/.exec(req.url);
  if (toggle && req.method === 'POST') {
    coop = toggle[1] === 'on';
    res.writeHead(204).end();
    return;
  }
  if (coop) {
    // Every response, including Koa's own error responses (which drop headers set earlier):
    // Node's res.end() goes through writeHead() too.
    const writeHead = res.writeHead;
    res.writeHead = function writeHeadWithCoop(...args) {
      this.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      return writeHead.apply(this, args);
    };
  }
  handle(req, res);
});

server.on('error', (err) => {
  console.error(`IdP failed to listen on ${HOST}:${PORT}: ${err.message}`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

server.listen(PORT, HOST, () => {
  console.log(`IDP READY ${ISSUER} client_id=${CLIENT_ID} coop=${COOP ? 1 : 0} `
    + `redirect_uris=${REDIRECT_URIS.join(',')}`);
});
