import { SignJWT, jwtVerify } from 'jose';
import type { Context } from '../../context.js';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  sub: string;
  type: TokenType;
  project_id?: string;
  /** Refresh tokens: the refresh_tokens row id. */
  jti?: string;
  /** Access tokens: the account's sign-in generation when issued (users.sign_in_generation); absent means 0. */
  gen?: number;
}

/** HS256 tokens with the claims cloud-api/auth/login.mdx documents: sub, type, exp, project_id (end users). */
export async function signToken(
  ctx: Pick<Context, 'keys' | 'clock'>,
  claims: TokenClaims,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  const jwt = new SignJWT({
    type: claims.type,
    ...(claims.project_id ? { project_id: claims.project_id } : {}),
    ...(claims.gen ? { gen: claims.gen } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds);
  if (claims.jti) jwt.setJti(claims.jti);
  return jwt.sign(ctx.keys.jwt);
}

/**
 * The claims of a valid token of the expected type, or null: bad signature, an algorithm other
 * than HS256, expired, a claim missing (exp, iat, sub and type are required on every token, jti
 * on refresh tokens), a claim of the wrong type, or a token of the other type.
 */
export async function verifyToken(
  ctx: Pick<Context, 'keys' | 'clock'>,
  token: string,
  type: TokenType,
): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, ctx.keys.jwt, {
      algorithms: ['HS256'],
      currentDate: ctx.clock.now(),
      // jose then also checks each present one's type (exp, iat numeric; sub a string).
      requiredClaims: type === 'refresh' ? ['exp', 'iat', 'sub', 'type', 'jti'] : ['exp', 'iat', 'sub', 'type'],
    });
    if (payload.type !== type || typeof payload.sub !== 'string' || payload.sub === '') return null;
    if (payload.project_id !== undefined && typeof payload.project_id !== 'string') return null;
    if (payload.gen !== undefined && !(Number.isSafeInteger(payload.gen) && (payload.gen as number) > 0)) return null;
    // Issued in the future (beyond a minute of clock skew): not a token this server signed.
    if (payload.iat! > Math.floor(ctx.clock.now().getTime() / 1000) + 60) return null;
    return {
      sub: payload.sub,
      type,
      project_id: typeof payload.project_id === 'string' ? payload.project_id : undefined,
      jti: payload.jti,
      gen: (payload.gen as number | undefined) ?? 0,
    };
  } catch {
    return null;
  }
}
