// The idle timeout: a shared office computer left signed in signs itself out after 30 minutes
// without a click, key press or scroll, with a warning 5 minutes before and one button to stay
// signed in (WCAG 2.2.1). The time of the last activity is kept in this tab's sessionStorage, so
// reloading the page does not reset it. While the person is not idle the same timer renews the ID
// token before it expires (api.js), up to the refresh token's 12 hours.
import { h } from './dom.js';
import * as session from './session.js';
import { refreshIfDue } from './api.js';

export const IDLE_MINUTES = 30;
const WARN_MINUTES = 5;
let warning = null;

export function touch() {
  session.markActive();
  if (warning) { warning.remove(); warning = null; }
}

function idleMs() {
  const last = session.lastActive();
  if (!last) { touch(); return 0; }
  return Date.now() - last;
}

function warn() {
  if (warning) return;
  const stay = h('button', { type: 'button', class: 'govuk-button govuk-!-margin-bottom-0', 'data-module': 'govuk-button', onclick: () => touch() }, 'Stay signed in');
  warning = h('div', { class: 'govuk-notification-banner', role: 'alert', 'aria-labelledby': 'idle-title', id: 'idle-warning' },
    h('div', { class: 'govuk-notification-banner__header' }, h('h2', { class: 'govuk-notification-banner__title', id: 'idle-title' }, 'Important')),
    h('div', { class: 'govuk-notification-banner__content' },
      h('p', { class: 'govuk-notification-banner__heading' }, `You will be signed out in ${WARN_MINUTES} minutes`),
      h('p', { class: 'govuk-body' }, `Nothing has happened on this page for ${IDLE_MINUTES - WARN_MINUTES} minutes. We sign you out after ${IDLE_MINUTES}, to protect the information on a shared computer.`),
      stay));
  document.getElementById('main-content').before(warning);
}

// signOut(path): what to do when the time is up (main.js clears the session and says why).
export function watch(signOut) {
  let written = 0;
  const active = () => {
    if (!session.signedIn() || Date.now() - written < 5000) return;  // a scroll fires many events: write at most every 5 s
    written = Date.now();
    session.markActive();  // the warning stays until the next check, so Tab can still reach its button
  };
  for (const type of ['pointerdown', 'keydown', 'scroll', 'submit']) document.addEventListener(type, active, { passive: true, capture: true });
  const check = () => {
    if (!session.signedIn()) { if (warning) { warning.remove(); warning = null; } return; }
    const idle = idleMs();
    if (idle >= IDLE_MINUTES * 60000) {
      if (warning) { warning.remove(); warning = null; }
      signOut();
    } else if (idle >= (IDLE_MINUTES - WARN_MINUTES) * 60000) warn();
    else if (warning) { warning.remove(); warning = null; }
  };
  setInterval(() => { check(); if (session.signedIn()) refreshIfDue(); }, 15000);
  check();
}
