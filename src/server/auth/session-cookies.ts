/** The HttpOnly cookie holding a session's token secret (scripts cannot read it). */
export const SESSION_COOKIE = "weir_session";
/** The readable cookie the UI echoes in `X-CSRF-Token` (double submit). */
export const CSRF_COOKIE = "weir_csrf";
/** The header a cookie-authenticated write must carry, equal to the `weir_csrf` cookie. */
export const CSRF_HEADER = "X-CSRF-Token";
