// Who is signed in. Tokens live in sessionStorage (this tab only, gone when it closes), never in
// localStorage. The sign-in challenge's session (between password and new password/MFA) is
// kept in memory only.

const TOKENS = 'care-tracker.tokens';
const RETURN_TO = 'care-tracker.return-to';
const LAST_ACTIVE = 'care-tracker.last-active';  // idle.js: the idle timeout
// A signed-in person's half-filled forms (e.g. a PA's NI number while adding them): gone at sign-out.
export const DRAFTS = 'care-tracker.draft.';
let me = null;
let challenge = null;

export function tokens() {
  try { return JSON.parse(sessionStorage.getItem(TOKENS)); } catch { return null; }
}
export function idToken() { return tokens()?.id_token || null; }
export function signedIn() { return Boolean(idToken()); }
export function store(answer) {
  keep(answer, answer.refresh_token || null);
  markActive();
  me = null;
  challenge = null;
}
// The refresh token (12 hours from signing in) renews the ID token shortly before it expires (api.js).
function keep(answer, refreshToken) {
  const expiresAt = answer.expires_in ? Date.now() + answer.expires_in * 1000 : null;
  sessionStorage.setItem(TOKENS, JSON.stringify({ id_token: answer.id_token, access_token: answer.access_token,
    refresh_token: refreshToken, expires_at: expiresAt }));
}
export function renew(answer, refreshToken) {
  const t = tokens();
  if (t && t.refresh_token === refreshToken) keep(answer, refreshToken);  // not after a sign-out meanwhile
}
export function forgetRefresh() {
  const t = tokens();
  if (t) sessionStorage.setItem(TOKENS, JSON.stringify({ ...t, refresh_token: null }));
}

export function clear() {
  sessionStorage.removeItem(TOKENS);
  sessionStorage.removeItem(LAST_ACTIVE);
  for (const key of Object.keys(sessionStorage)) if (key.startsWith(DRAFTS)) sessionStorage.removeItem(key);
  me = null;
}
export function cachedMe() { return me; }
export function setMe(value) { me = value; }

export function setChallenge(value) { challenge = value; }
export function currentChallenge() { return challenge; }

export function rememberReturn(path) {
  if (path && !path.startsWith('/sign-in')) sessionStorage.setItem(RETURN_TO, path);
}
export function takeReturn() {
  const path = sessionStorage.getItem(RETURN_TO);
  sessionStorage.removeItem(RETURN_TO);
  return path && path.startsWith('/') && !path.startsWith('//') ? path : null;
}

export function markActive() { sessionStorage.setItem(LAST_ACTIVE, String(Date.now())); }
export function lastActive() { return Number(sessionStorage.getItem(LAST_ACTIVE)) || null; }
