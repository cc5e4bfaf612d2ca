/* `npm run token -- --kind staff --sub alice --roles support-agent [--partner shipfast] [--expires 8h]`: iat, exp (at most JWT_MAX_TTL), and iss / aud when JWT_ISSUER / JWT_AUDIENCE are set. */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { signToken, type TokenClaims } from '../auth/tokens';

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    sub: { type: 'string' },
    roles: { type: 'string' },
    partner: { type: 'string' },
    expires: { type: 'string', default: '8h' },
  },
});
const kind = values.kind;
if (kind !== 'staff' && kind !== 'partner' && kind !== 'customer') fail('--kind must be staff, partner or customer');
if (!values.sub) fail('--sub is required (the staff id, partner user id or customer id)');
const claims: TokenClaims = { kind, sub: values.sub };
if (kind === 'staff') {
  const roles = (values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) fail('--roles is required for staff (comma-separated role names)');
  claims.roles = roles;
}
if (kind === 'partner') {
  if (!values.partner) fail('--partner is required for kind partner (the partner id)');
  claims.partner = values.partner;
}
const config = loadConfig();
let token: string;
try {
  token = signToken(config.jwtSecret, claims, values.expires as never, { issuer: config.jwtIssuer, audience: config.jwtAudience });
} catch {
  fail('--expires must be a duration such as 8h, 90m or 3600 (seconds)');
}
const { iat, exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
if (exp - iat > config.jwtMaxTtlSeconds) fail(`--expires is longer than JWT_MAX_TTL (${config.jwtMaxTtlSeconds} seconds): the gateway would refuse the token`);
process.stdout.write(token + '\n');
