// Another service that trusts Rekey's access tokens with nothing but Rekey's
// public JWKS: no shared secret, no call to Rekey per request.
// Run: REKEY_URL=http://127.0.0.1:4000 node examples/resource-server/server.ts
import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ResourceServerOptions {
  /** Rekey's base URL; its keys are at /.well-known/jwks.json. */
  rekeyUrl: string;
  issuer?: string;
  audience?: string;
  /** How long the key set is kept before it is fetched again (Rekey's JWKS_MAX_AGE, 5 minutes by default). */
  cacheMaxAgeMs?: number;
}

export function createResourceServer({ rekeyUrl, issuer = 'rekey', audience = 'rekey', cacheMaxAgeMs = 300_000 }: ResourceServerOptions): Server {
  // Fetched once, cached, and fetched again at once for a kid it does not know yet (a rotation).
  const keys = createRemoteJWKSet(new URL('/.well-known/jwks.json', rekeyUrl), { cacheMaxAge: cacheMaxAgeMs, cooldownDuration: 1_000 });
  return createServer(async (request, response) => {
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('no token');
      // ES256 only: `none`, HS256 and anything else are refused before any key is tried.
      const { payload } = await jwtVerify(token, keys, { algorithms: ['ES256'], issuer, audience, requiredClaims: ['exp', 'sub'] });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ userId: payload.sub, sessionId: payload.sid }));
    } catch {
      response.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'invalid_token' }));
    }
  });
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 4001);
  createResourceServer({ rekeyUrl: process.env.REKEY_URL ?? 'http://127.0.0.1:4000' }).listen(port, () => {
    console.log(`Resource server on http://127.0.0.1:${port}/ (GET with Authorization: Bearer <Rekey access token>)`);
  });
}
