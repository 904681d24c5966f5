// A small router for the single-page client: paths (never with a dot: CloudFront serves
// /index.html for those) to page modules loaded on first use, history, focus and titles.
import { h, clear } from './dom.js';
import { initAll } from '/govuk/govuk-frontend.min.js';
import * as session from './session.js';

const routes = [];
let renderCount = 0;
let flash = null;
let afterRender = () => {};

export function route(path, load, { auth = true } = {}) {
  const keys = [];
  const pattern = new RegExp('^' + path.replace(/:([a-z_]+)/g, (_, key) => { keys.push(key); return '([^/]+)'; }) + '/?$');
  routes.push({ path, pattern, keys, load, auth });
}

export function onRendered(fn) { afterRender = fn; }

export function navigate(path, { replace = false, message = null } = {}) {
  flash = message;
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  return render();
}

function match(pathname) {
  for (const r of routes) {
    const found = r.pattern.exec(pathname);
    if (found) return { route: r, params: Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(found[i + 1])])) };
  }
  return null;
}

export async function render() {
  const count = ++renderCount;
  const main = document.getElementById('main-content');
  const { pathname, search } = window.location;
  const found = match(pathname) || match('/not-found');
  if (found.route.auth && !session.signedIn()) {
    session.rememberReturn(pathname + search);
    return navigate('/sign-in', { replace: true });
  }
  let message = flash;  // shown once: not again when the page shows its next step (a form's answer)
  flash = null;
  const ctx = {
    params: found.params,
    query: new URLSearchParams(search),
    navigate,
    message,
    current: () => count === renderCount,
    show(title, ...children) {
      if (count !== renderCount) return null;
      document.title = `${title} - Care Tracker`;
      clear(main);
      if (message) main.append(flashBanner(message));
      message = null;
      main.append(h('div', {}, ...children));
      initAll({ scope: main, onError: () => {} });
      afterRender(ctx);
      const summary = main.querySelector('.govuk-error-summary');
      const target = summary || main.querySelector('h1') || main;
      if (!summary) target.focus({ preventScroll: false });
      window.scrollTo(0, 0);
      return main;
    },
  };
  try {
    const module = await found.route.load();
    if (count !== renderCount) return;
    await module[found.route.exportName || 'default'](ctx);
  } catch (error) {
    if (count !== renderCount) return;
    if (error && error.status === 401) return;  // api.js has sent the person to sign in
    if (error && error.code === 'account_deactivated') return;
    if (error && error.code === 'details_missing' && error.details.employer_id) {
      // A reactivated PA fills in their details before anything else of that employment (RULES 2.5).
      return navigate(`/pa/details/${encodeURIComponent(error.details.employer_id)}`, { replace: true });
    }
    ctx.show('Sorry, there is a problem', h('h1', { class: 'govuk-heading-l', tabindex: '-1' }, 'Sorry, there is a problem'),
      h('p', { class: 'govuk-body' }, (error && error.message) || 'Something went wrong.'),
      h('p', { class: 'govuk-body' }, h('a', { class: 'govuk-link', href: window.location.pathname + window.location.search }, 'Try again')));
  }
}

function flashBanner({ title, text }) {
  return h('div', { class: 'govuk-notification-banner govuk-notification-banner--success', role: 'alert',
    'aria-labelledby': 'flash-title', 'data-module': 'govuk-notification-banner', 'data-disable-auto-focus': 'true' },
  h('div', { class: 'govuk-notification-banner__header' }, h('h2', { class: 'govuk-notification-banner__title', id: 'flash-title' }, 'Success')),
  h('div', { class: 'govuk-notification-banner__content' }, h('p', { class: 'govuk-notification-banner__heading' }, title),
    text ? h('p', { class: 'govuk-body' }, text) : null));
}

export function start() {
  document.addEventListener('click', (event) => {
    const a = event.target.closest && event.target.closest('a[href]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (a.target || a.hasAttribute('download') || a.origin !== window.location.origin) return;
    const href = a.getAttribute('href');
    if (!href.startsWith('/') || href.startsWith('//') || a.pathname.split('/').pop().includes('.')) return;
    event.preventDefault();
    navigate(a.pathname + a.search);
  });
  window.addEventListener('popstate', () => render());
  return render();
}

// The route table names the export when one module has several pages.
export function page(path, load, exportName, options) {
  route(path, load, options);
  routes[routes.length - 1].exportName = exportName;
}
