// When to renew the login token. Telnyx's tokens live about 24 h; the SDK warns only 120 s before the end, too late
// for a laptop that slept or a backend that answers slowly, so the page renews at half of the token's life and keeps
// the SDK's warning as a backstop.

/** Renew when this share of the token's life has passed. */
export const REFRESH_AT = 0.5;
/** Never sooner than this after the last renewal: a backend handing out near-dead tokens must not be hammered. */
export const REFRESH_FLOOR_MS = 5_000;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit (about 24.8 days)

/** The JWT's claims, or null when it is not a JWT whose middle part is base64url JSON. */
export function jwtClaims(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) {
    return null;
  }
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/**
 * Milliseconds from {@code nowMs} until the token should be renewed: {@code fraction} of the way from its `iat`
 * (or from now, when it has none) to its `exp`, never less than {@code floorMs}; null when it states no expiry.
 */
export function refreshDelayMs(token, nowMs, { fraction = REFRESH_AT, floorMs = REFRESH_FLOOR_MS } = {}) {
  const claims = jwtClaims(token);
  if (!claims || typeof claims.exp !== 'number') {
    return null;
  }
  const expMs = claims.exp * 1000;
  const issuedMs = typeof claims.iat === 'number' && claims.iat * 1000 < expMs ? claims.iat * 1000 : Math.min(nowMs, expMs);
  const at = issuedMs + (expMs - issuedMs) * fraction;
  return Math.min(MAX_TIMER_MS, Math.max(floorMs, Math.round(at - nowMs)));
}
