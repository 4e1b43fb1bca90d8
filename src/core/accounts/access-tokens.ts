import { SignJWT, jwtVerify } from 'jose';
import type { Context } from '../../context.js';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  sub: string;
  type: TokenType;
  project_id?: string;
  /** Refresh tokens: the refresh_tokens row id. */
  jti?: string;
}

/** HS256 tokens with the claims cloud-api/auth/login.mdx documents: sub, type, exp, project_id (end users). */
export async function signToken(
  ctx: Pick<Context, 'keys' | 'clock'>,
  claims: TokenClaims,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  const jwt = new SignJWT({ type: claims.type, ...(claims.project_id ? { project_id: claims.project_id } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds);
  if (claims.jti) jwt.setJti(claims.jti);
  return jwt.sign(ctx.keys.jwt);
}

/** The claims of a valid token of the expected type, or null (bad signature, expired, wrong type, malformed). */
export async function verifyToken(
  ctx: Pick<Context, 'keys' | 'clock'>,
  token: string,
  type: TokenType,
): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, ctx.keys.jwt, {
      algorithms: ['HS256'],
      currentDate: ctx.clock.now(),
    });
    if (payload.type !== type || typeof payload.sub !== 'string') return null;
    return {
      sub: payload.sub,
      type,
      project_id: typeof payload.project_id === 'string' ? payload.project_id : undefined,
      jti: payload.jti,
    };
  } catch {
    return null;
  }
}
