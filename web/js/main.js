// Care Tracker's web client: the route table, the navigation for the signed-in person's roles,
// and what happens when the API says the session is over.
import * as api from './api.js';
import { h, clear } from './dom.js';
import { ServiceNavigation, SkipLink, createAll } from '/govuk/govuk-frontend.min.js';
import { page, navigate, start, onRendered } from './router.js';
import * as session from './session.js';
import { watch as watchIdle } from './idle.js';

const signIn = () => import('./pages/sign-in.js');
const returns = () => import('./pages/returns.js');
const register = () => import('./pages/register.js');
const approver = () => import('./pages/approver.js');
const info = () => import('./pages/info.js');
const home = () => import('./pages/home.js');
const compliance = () => import('./pages/compliance.js');
const support = () => import('./pages/support.js');
const enforcement = () => import('./pages/enforcement.js');
const bulk = () => import('./pages/bulk.js');
const commissioner = () => import('./pages/commissioner.js');
// Employers and PAs (RULES section 2): each module's routes are in its own block below.

page('/', home, 'home', { auth: false });
page('/sign-in', signIn, 'signIn', { auth: false });
page('/sign-in/new-password', signIn, 'newPassword', { auth: false });
page('/sign-in/set-up-authenticator', signIn, 'mfaSetup', { auth: false });
page('/sign-in/authenticator-code', signIn, 'mfaCode', { auth: false });
page('/forgot-password', signIn, 'forgotPassword', { auth: false });
page('/reset-password', signIn, 'resetPassword', { auth: false });
page('/signed-out', signIn, 'signedOut', { auth: false });
page('/sign-out', signIn, 'signOut', { auth: false });
page('/account-deactivated', signIn, 'deactivated', { auth: false });
page('/this-month', returns, 'thisMonth');
page('/returns/:location/:period', returns, 'history');
page('/returns/:location/:period/:care_type', returns, 'returnForm');
page('/returns/:location/:period/:care_type/no-change', returns, 'noChange');
page('/register', register, 'details', { auth: false });
page('/register/locations', register, 'locations', { auth: false });
page('/register/terms', register, 'terms', { auth: false });
page('/register/complete', register, 'complete', { auth: false });
page('/requests', approver, 'requests');
page('/requests/:id/reject', approver, 'reject');
page('/users', approver, 'users');
page('/compliance', compliance, 'organisation');
page('/compliance/:location', compliance, 'location');
page('/announcements', support, 'announcements');
page('/reports', support, 'reports');
page('/at-risk', support, 'atRisk');
page('/tasks', support, 'tasks');
page('/downloads', support, 'downloads');
page('/bulk', bulk, 'bulk');
page('/cases', enforcement, 'cases');
page('/case', enforcement, 'oneCase');

// Commissioners: vacancies, their areas' locations and completeness.
page('/vacancies', commissioner, 'vacancies');
page('/area', commissioner, 'area');
page('/area/:location_id', commissioner, 'location');
page('/completeness', commissioner, 'completeness');
page('/register/areas', register, 'areas', { auth: false });
page('/authenticator', signIn, 'authenticator');
page('/authenticator/turn-off', signIn, 'turnOffAuthenticator');
page('/users/:user_id/reset-authenticator', approver, 'resetAuthenticator');
page('/authenticator-resets', approver, 'authenticatorResets');

// Employer sign-up, PAs and the PA's home.
const employers = () => import('./pages/employers.js');
const pas = () => import('./pages/pas.js');
const paHome = () => import('./pages/pa-home.js');
page('/employer-sign-up', employers, 'careRecipient', { auth: false });
page('/employer-sign-up/who-manages', employers, 'whoManages', { auth: false });
page('/employer-sign-up/appointment', employers, 'appointment', { auth: false });
page('/employer-sign-up/funding', employers, 'funding', { auth: false });
page('/employer-sign-up/care-package', employers, 'carePackage', { auth: false });
page('/employer-sign-up/no-care-package', employers, 'noCarePackage', { auth: false });
page('/employer-sign-up/your-details', employers, 'yourDetails', { auth: false });
page('/employer-sign-up/check', employers, 'check', { auth: false });
page('/employer-sign-up/done', employers, 'done', { auth: false });
page('/settings', employers, 'settings');
page('/settings/pay-cycle', employers, 'payCycle');
page('/pas', pas, 'list');
page('/pas/add', pas, 'add');
page('/pas/add/identity', pas, 'addIdentity');
page('/pas/add/job', pas, 'addJob');
page('/pas/add/family', pas, 'addFamily');
page('/pas/add/emergency-contact', pas, 'addEmergencyContact');
page('/pas/add/check', pas, 'addCheck');
page('/pas/archived', pas, 'archived');
page('/pas/:pa_id', pas, 'onePa');
page('/pas/:pa_id/change', pas, 'changePa');
page('/pas/:pa_id/archive', pas, 'archiveDate');
page('/pas/:pa_id/archive/check', pas, 'archiveCheck');
page('/pa', paHome, 'home');
page('/pa/details/:employer_id', paHome, 'details');

// Rota and timesheets.
const rota = () => import('./pages/rota.js');
const timesheets = () => import('./pages/timesheets.js');
page('/rota', rota, 'week');
page('/rota/add', rota, 'add');
page('/rota/:pa_id/:day/:shift_id', rota, 'shift');
page('/pa/rota', rota, 'paWeek');
page('/timesheets', timesheets, 'queue');
page('/timesheets/:pa_id/:period_start', timesheets, 'employerTimesheet');
page('/timesheets/:pa_id/:period_start/correct', timesheets, 'correct');
page('/pa/timesheets', timesheets, 'paPeriods');
page('/pa/timesheets/:employer_id/:period_start', timesheets, 'paTimesheet');
page('/pa/timesheets/:employer_id/:period_start/correct', timesheets, 'paCorrect');

// Holiday, "download my data", the audit pack, feedback and suggestions.
const holiday = () => import('./pages/holiday.js');
const yourData = () => import('./pages/your-data.js');
const feedback = () => import('./pages/feedback.js');
page('/holiday', holiday, 'employer');
page('/holiday/:pa_id', holiday, 'ledger');
page('/holiday/:pa_id/record', holiday, 'record');
page('/holiday/:pa_id/brought-forward', holiday, 'broughtForward');
page('/pa/holiday', holiday, 'pa');
page('/pa/holiday/:employer_id/book', holiday, 'book');
page('/your-data', yourData, 'default');
page('/feedback', feedback, 'feedback');
page('/feedback/inbox', feedback, 'inbox');
page('/suggestions', feedback, 'suggestions');
page('/suggestions/new', feedback, 'suggest');
page('/suggestions/removed', feedback, 'removed');
page('/suggestions/:id/manage', feedback, 'manage');

page('/accessibility', info, 'accessibility', { auth: false });
page('/privacy', info, 'privacy', { auth: false });
page('/not-found', info, 'notFound', { auth: false });

api.onUnauthorized(() => {
  session.rememberReturn(window.location.pathname + window.location.search);
  navigate('/sign-in?expired=1', { replace: true });
});
api.onDeactivated(() => navigate('/account-deactivated', { replace: true }));
watchIdle(() => {
  session.rememberReturn(window.location.pathname + window.location.search);
  session.clear();
  navigate('/signed-out?idle=1', { replace: true });
});

const NAV = [
  ['/this-month', 'This month', ['provider_user', 'approver']],
  ['/bulk', 'Update many', ['provider_user', 'approver']],
  ['/requests', 'Access requests', ['approver', 'admin']],
  ['/users', 'Users', ['approver', 'admin']],
  ['/compliance', 'Compliance', ['provider_user', 'approver']],
  ['/announcements', 'Announcements', ['admin']],
  ['/reports', 'Reports', ['admin']],
  ['/at-risk', 'At risk', ['admin']],
  ['/tasks', 'Tasks', ['admin']],
  ['/downloads', 'Downloads', ['admin']],
  ['/cases', 'Enforcement cases', ['enforcement_officer', 'admin']],
  ['/vacancies', 'Vacancies', ['commissioner']],
  ['/area', 'Locations', ['commissioner']],
  ['/completeness', 'Completeness', ['commissioner']],
  ['/pas', 'PAs', ['employer']],
  ['/rota', 'Rota', ['employer']],
  ['/timesheets', 'Timesheets', ['employer']],
  ['/holiday', 'Holiday', ['employer']],
  ['/settings', 'Settings', ['employer']],
  ['/pa', 'My work', ['pa']],
  ['/pa/timesheets', 'My timesheets', ['pa']],
  ['/pa/holiday', 'My holiday', ['pa']],
  ['/your-data', 'Your data', ['employer', 'pa']],
  ['/feedback', 'Feedback', ['provider_user', 'approver', 'employer', 'pa']],
  ['/suggestions', 'Suggestions', ['provider_user', 'approver', 'employer', 'pa', 'admin']],
  ['/feedback/inbox', 'Feedback inbox', ['admin']],
];

async function renderNavigation() {
  const list = document.getElementById('navigation');
  const bar = document.getElementById('user-bar');
  const me = session.signedIn() ? session.cachedMe() : null;
  if (session.signedIn() && !me) {
    api.me().then(renderNavigation, () => {});
    return;
  }
  const here = window.location.pathname;
  const items = me ? NAV.filter(([, , roles]) => roles.some((r) => me.roles.includes(r))) : [];
  const links = me ? [...items, ['/sign-out', 'Sign out', []]] : [['/sign-in', 'Sign in', []], ['/register', 'Create an account', []]];
  // The longest link that the page's path starts with is the active one (/pa/timesheets, not /pa).
  const current = links.map(([href]) => href).filter((href) => here === href || (href !== '/' && here.startsWith(href + '/')))
    .sort((a, b) => b.length - a.length)[0];
  clear(list);
  for (const [href, text] of links) {
    const active = href === current;
    list.append(h('li', { class: 'govuk-service-navigation__item' + (active ? ' govuk-service-navigation__item--active' : '') },
      h('a', { class: 'govuk-service-navigation__link', href, 'aria-current': active ? 'page' : null }, active ? h('strong', { class: 'govuk-service-navigation__active-fallback' }, text) : text)));
  }
  clear(bar);
  if (me) {
    bar.append('Signed in as ', h('strong', {}, me.full_name || me.email));
    if (!me.roles.includes('commissioner')) bar.append(' ', h('a', { class: 'govuk-link', href: '/authenticator' }, 'Two-step sign-in'));
  }
}

// Announcements from the support team appear on the first page after signing in.
async function announcements() {
  if (!session.signedIn() || sessionStorage.getItem('care-tracker.announce') !== '1') return;
  sessionStorage.removeItem('care-tracker.announce');
  let answer;
  try { answer = await api.get('/announcements'); } catch { return; }
  if (!answer.announcements.length) return;
  const main = document.getElementById('main-content');
  main.prepend(h('div', { class: 'govuk-notification-banner', role: 'region', 'aria-labelledby': 'announcements-title', 'data-module': 'govuk-notification-banner' },
    h('div', { class: 'govuk-notification-banner__header' }, h('h2', { class: 'govuk-notification-banner__title', id: 'announcements-title' }, 'Announcements')),
    h('div', { class: 'govuk-notification-banner__content' }, answer.announcements.map((a) => [
      h('h3', { class: 'govuk-notification-banner__heading' }, a.title),
      a.body.split(/\n+/).map((line) => h('p', { class: 'govuk-body' }, line))]))));
}

onRendered(() => { renderNavigation(); announcements(); });
document.getElementById('loading')?.remove();
createAll(ServiceNavigation, undefined, { scope: document.querySelector('header'), onError: () => {} });
createAll(SkipLink, undefined, { scope: document.body, onError: () => {} });
start();
