// The one client of the JSON API, on the same origin under /api/ (as CloudFront serves it).
// A 401 clears the session and sends the person to sign in, then back to the page they were on.
import * as session from './session.js';

const BASE = '/api';
const handlers = { unauthorized: () => {}, deactivated: () => {} };

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The service answered ${status}.`);
    this.status = status;
    this.code = (body && body.code) || 'error';
    this.details = (body && body.details) || {};
  }
}

export function onUnauthorized(fn) { handlers.unauthorized = fn; }
export function onDeactivated(fn) { handlers.deactivated = fn; }

// Within 5 minutes of the ID token's expiry, the next request (or idle.js's timer) first swaps the
// refresh token for new tokens; if that fails (a read-only account, a revoked sign-in) the
// session simply runs out and the 401 sends the person to sign in.
const RENEW_BEFORE_MS = 5 * 60 * 1000;
let renewing = null;

export function refreshIfDue() {
  const t = session.tokens();
  if (!t || !t.refresh_token || !t.expires_at) return Promise.resolve();
  const left = t.expires_at - Date.now();
  if (left > RENEW_BEFORE_MS || left <= 0) return Promise.resolve();
  if (!renewing) {
    renewing = request('POST', '/me/session/refresh', { body: { refresh_token: t.refresh_token }, renew: false })
      .then((answer) => session.renew(answer, t.refresh_token), () => session.forgetRefresh())
      .finally(() => { renewing = null; });
  }
  return renewing;
}

export async function request(method, path, { body, headers = {}, auth = true, renew = true } = {}) {
  if (auth && renew) await refreshIfDue();
  const sent = { Accept: 'application/json', ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const token = session.idToken();
  if (auth && token) sent.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(BASE + path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { code: 'offline', message: 'Care Tracker cannot be reached. Check your connection and try again.' });
  }
  const kind = response.headers.get('Content-Type') || '';
  const data = kind.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (response.ok) return data;
  const error = new ApiError(response.status, typeof data === 'object' ? data : null);
  if (auth && response.status === 401 && token) {
    session.clear();
    handlers.unauthorized(error);
  } else if (auth && response.status === 403 && error.code === 'account_deactivated') {
    session.clear();
    handlers.deactivated(error);
  }
  throw error;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options) => request('POST', path, { ...options, body });
export const put = (path, body, options) => request('PUT', path, { ...options, body });
export const patch = (path, body, options) => request('PATCH', path, { ...options, body });
export const del = (path, options) => request('DELETE', path, options);

export async function me() {
  let answer = session.cachedMe();
  if (!answer) {
    answer = await get('/me');
    session.setMe(answer);
  }
  return answer;
}

export const q = (params) => {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return pairs.length ? '?' + new URLSearchParams(pairs).toString() : '';
};
