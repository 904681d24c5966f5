// Journey 1: sign in, the forced new password at first login, authenticator (MFA) enrolment and
// codes (contract A), forgotten password, deactivated accounts, sign out.
import * as api from '../api.js';
import { h, heading, p, link, button, inset } from '../dom.js';
import { input, password, submitting, showErrors, apiErrors } from '../forms.js';
import * as session from '../session.js';

const MIN_LENGTH = 12;  // rules/passwords.py: at least 12 characters, common passwords refused by the API
const CHALLENGE_PAGES = {
  NEW_PASSWORD_REQUIRED: '/sign-in/new-password',
  MFA_SETUP: '/sign-in/set-up-authenticator',
  SOFTWARE_TOKEN_MFA: '/sign-in/authenticator-code',
};

export function landing(me) {
  const roles = me.roles || [];
  if (roles.includes('provider_user') || roles.includes('approver')) return '/this-month';
  if (roles.includes('admin')) return '/requests';
  if (roles.includes('enforcement_officer')) return '/cases';
  if (roles.includes('commissioner')) return '/vacancies';
  if (roles.includes('employer')) return '/pas';
  if (roles.includes('pa')) return '/pa';
  return '/';
}

// Tokens or the next challenge, from any step of signing in.
async function answered(ctx, email, answer) {
  if (answer.challenge) {
    const next = CHALLENGE_PAGES[answer.challenge];
    if (!next) throw new api.ApiError(400, { message: `This sign-in needs a step the web client does not know (${answer.challenge}). Contact the support team.` });
    session.setChallenge({ email, name: answer.challenge, session: answer.session });
    return ctx.navigate(next);
  }
  session.store(answer);
  sessionStorage.setItem('care-tracker.announce', '1');
  const me = await api.me();
  return ctx.navigate(session.takeReturn() || landing(me), { replace: true });
}

function challengeOrRestart(ctx, name) {
  const challenge = session.currentChallenge();
  if (challenge && (!name || name.includes(challenge.name))) return challenge;
  ctx.navigate('/sign-in', { replace: true });
  return null;
}

function expiredChallenge(ctx, form, error) {
  if (error.status === 401 || error.code === 'session_expired' || error.code === 'invalid_session') {
    showErrors(form, [{ field: null, text: 'Signing in took too long. Sign in again with your email address and password.' }]);
    session.setChallenge(null);
    return true;
  }
  return false;
}

export async function signIn(ctx) {
  if (session.signedIn()) {
    const me = await api.me();
    return ctx.navigate(landing(me), { replace: true });
  }
  const form = h('form', { novalidate: true },
    input({ id: 'email', label: 'Email address', type: 'email', autocomplete: 'username', spellcheck: false }),
    password({ id: 'password', label: 'Password' }),
    button('Sign in'));
  ctx.show('Sign in',
    heading('Sign in to Care Tracker'),
    ctx.query.get('expired') ? inset('You have been signed out. Sign in again to carry on where you were.') : null,
    form,
    p(link('/forgot-password', 'I have forgotten my password')),
    p('No account yet? ', link('/register', 'Ask for an account'), '.'),
    p('Employ your own personal assistants? ', link('/employer-sign-up', 'Sign up'), '.'));
  submitting(form, async ({ email, password: secret }) => {
    const errors = [];
    if (!email.trim()) errors.push({ field: 'email', text: 'Enter your email address' });
    if (!secret) errors.push({ field: 'password', text: 'Enter your password' });
    if (errors.length) return showErrors(form, errors);
    try {
      const answer = await api.post('/auth/login', { email: email.trim(), password: secret }, { auth: false });
      await answered(ctx, email.trim().toLowerCase(), answer);
    } catch (error) {
      if (error.code === 'account_deactivated') return ctx.navigate('/account-deactivated');
      if (error.code === 'wrong_login') return showErrors(form, [{ field: 'email', text: 'The email address or password is not right. Check them and try again.' }]);
      if (error.code === 'password_reset_required') return showErrors(form, [{ field: 'password', text: error.message }]);
      showErrors(form, apiErrors(error, { email: 'Email address', password: 'Password' }, 'email'));
    }
  });
}

export function strengthStatus(id) {
  return h('p', { class: 'govuk-hint', id: `${id}-status`, 'aria-live': 'polite' }, `Use at least ${MIN_LENGTH} characters.`);
}

// The strength message beside the field: length as you type; common or guessable passwords are
// refused by the API when you save (its reasons then show on the field).
function watchStrength(form, id) {
  const field = form.querySelector(`#${id}`);
  const status = form.querySelector(`#${id}-status`);
  field.addEventListener('input', () => {
    const left = MIN_LENGTH - field.value.length;
    status.textContent = left > 0
      ? `${left} more character${left === 1 ? '' : 's'} needed (at least ${MIN_LENGTH}).`
      : 'Long enough. It must not be a common password or contain your name or email address: that is checked when you save.';
  });
}

function newPasswordField(id, label) {
  return password({ id, label, autocomplete: 'new-password',
    hint: `At least ${MIN_LENGTH} characters. A few unrelated words work well, like "copper meadow lantern". No other rules.`,
    after: strengthStatus(id) });
}

function passwordErrors(error, field) {
  if (error.code === 'weak_password') {
    const reasons = Array.isArray(error.details.problems) ? error.details.problems.filter((r) => typeof r === 'string') : [];
    return [{ field, text: reasons.length ? `Choose a stronger password: ${reasons.join(' ')}` : error.message }];
  }
  return apiErrors(error, { new_password: 'New password' }, field);
}

export async function newPassword(ctx) {
  const challenge = challengeOrRestart(ctx, ['NEW_PASSWORD_REQUIRED']);
  if (!challenge) return;
  const form = h('form', { novalidate: true },
    newPasswordField('new-password', 'New password'),
    button('Save password and sign in'));
  ctx.show('Choose a new password', heading('Choose a new password'),
    p('This is your first sign-in, so choose your own password to replace the temporary one we emailed you.'), form);
  watchStrength(form, 'new-password');
  submitting(form, async (data) => {
    if (!data['new-password']) return showErrors(form, [{ field: 'new-password', text: 'Enter a new password' }]);
    try {
      const answer = await api.post('/auth/new-password', { email: challenge.email, session: challenge.session, new_password: data['new-password'] }, { auth: false });
      await answered(ctx, challenge.email, answer);
    } catch (error) {
      if (error.code === 'weak_password' || error.status === 400) return showErrors(form, passwordErrors(error, 'new-password'));
      if (!expiredChallenge(ctx, form, error)) showErrors(form, apiErrors(error, {}, 'new-password'));
    }
  });
}

async function qrImage(uri) {
  const { default: qrcode } = await import('/vendor/qrcode.js');
  const qr = qrcode(0, 'M');
  qr.addData(uri);
  qr.make();
  const count = qr.getModuleCount();
  const scale = 6;
  const margin = 4 * scale;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = count * scale + margin * 2;
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#000000';
  for (let r = 0; r < count; r += 1) for (let c = 0; c < count; c += 1) if (qr.isDark(r, c)) g.fillRect(margin + c * scale, margin + r * scale, scale, scale);
  return h('img', { class: 'app-qr', src: canvas.toDataURL('image/png'), alt: 'A QR code for your authenticator app. If you cannot scan it, type the key shown below instead.' });
}

function codeForm(label, submitText) {
  return h('form', { novalidate: true },
    input({ id: 'code', label, hint: 'The 6-digit code your authenticator app shows now', inputmode: 'numeric', autocomplete: 'one-time-code', width: 5, spellcheck: false }),
    button(submitText));
}

function checkCode(form, code) {
  const digits = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(digits)) {
    showErrors(form, [{ field: 'code', text: 'Enter the 6-digit code from your authenticator app' }]);
    return null;
  }
  return digits;
}

export async function mfaSetup(ctx) {
  const challenge = challengeOrRestart(ctx, ['MFA_SETUP']);
  if (!challenge) return;
  let setup;
  try {
    setup = await api.post('/auth/mfa/setup', { email: challenge.email, session: challenge.session }, { auth: false });
  } catch (error) {
    session.setChallenge(null);
    return ctx.show('Set up an authenticator app', heading('Set up an authenticator app'),
      p(error.status === 401 ? 'Signing in took too long.' : error.message), p(link('/sign-in', 'Sign in again')));
  }
  challenge.session = setup.session;
  const form = codeForm('Code from your authenticator app', 'Finish setting up and sign in');
  ctx.show('Set up an authenticator app', heading('Set up an authenticator app'),
    p('Your role needs a second step at sign-in. Use an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or a password manager).'),
    h('ol', { class: 'govuk-list govuk-list--number' },
      h('li', {}, 'In the app, add an account and scan this QR code.'),
      h('li', {}, 'Type the 6-digit code the app then shows.')),
    await qrImage(setup.otpauth_uri),
    h('p', { class: 'govuk-body' }, 'Cannot scan it? Type this key into the app instead: ', h('span', { class: 'app-secret', id: 'mfa-secret' }, setup.secret)),
    form);
  submitting(form, async ({ code }) => {
    const digits = checkCode(form, code);
    if (!digits) return;
    try {
      const answer = await api.post('/auth/mfa/confirm', { email: challenge.email, session: challenge.session, code: digits }, { auth: false });
      await answered(ctx, challenge.email, answer);
    } catch (error) {
      if (error.status === 400 || error.code === 'invalid_code') return showErrors(form, [{ field: 'code', text: error.message || 'That code is not right. Enter the code the app shows now.' }]);
      if (!expiredChallenge(ctx, form, error)) showErrors(form, apiErrors(error, {}, 'code'));
    }
  });
}

export async function mfaCode(ctx) {
  const challenge = challengeOrRestart(ctx, ['SOFTWARE_TOKEN_MFA']);
  if (!challenge) return;
  const form = codeForm('Code from your authenticator app', 'Sign in');
  ctx.show('Enter the code from your authenticator app', heading('Enter the code from your authenticator app'), form);
  submitting(form, async ({ code }) => {
    const digits = checkCode(form, code);
    if (!digits) return;
    try {
      const answer = await api.post('/auth/mfa', { email: challenge.email, session: challenge.session, code: digits }, { auth: false });
      await answered(ctx, challenge.email, answer);
    } catch (error) {
      if (error.status === 400 || error.code === 'invalid_code') return showErrors(form, [{ field: 'code', text: error.message || 'That code is not right. Enter the code the app shows now.' }]);
      if (!expiredChallenge(ctx, form, error)) showErrors(form, apiErrors(error, {}, 'code'));
    }
  });
}

export async function forgotPassword(ctx) {
  const form = h('form', { novalidate: true },
    input({ id: 'email', label: 'Email address', hint: 'The address you sign in with', type: 'email', autocomplete: 'username', spellcheck: false }),
    button('Email me a reset code'));
  ctx.show('Reset your password', heading('Reset your password'),
    p('We will email you a code. You then choose a new password.'), form);
  submitting(form, async ({ email }) => {
    if (!email.trim()) return showErrors(form, [{ field: 'email', text: 'Enter your email address' }]);
    try {
      await api.post('/auth/forgot-password', { email: email.trim() }, { auth: false });
      sessionStorage.setItem('care-tracker.reset-email', email.trim().toLowerCase());
      ctx.navigate('/reset-password');
    } catch (error) {
      showErrors(form, apiErrors(error, { email: 'Email address' }, 'email'));
    }
  });
}

export async function resetPassword(ctx) {
  const email = sessionStorage.getItem('care-tracker.reset-email') || '';
  const form = h('form', { novalidate: true },
    input({ id: 'email', label: 'Email address', type: 'email', autocomplete: 'username', value: email, spellcheck: false }),
    input({ id: 'code', label: 'Reset code', hint: 'From the email we sent you', autocomplete: 'one-time-code', width: 10, spellcheck: false }),
    newPasswordField('new-password', 'New password'),
    button('Change password'));
  ctx.show('Check your email', heading('Check your email'),
    p('If that address has an account, we have emailed it a reset code. Enter it with your new password.'), form,
    p(link('/forgot-password', 'Send another code')));
  watchStrength(form, 'new-password');
  submitting(form, async (data) => {
    const errors = [];
    if (!data.email.trim()) errors.push({ field: 'email', text: 'Enter your email address' });
    if (!data.code.trim()) errors.push({ field: 'code', text: 'Enter the reset code from the email' });
    if (!data['new-password']) errors.push({ field: 'new-password', text: 'Enter a new password' });
    if (errors.length) return showErrors(form, errors);
    try {
      await api.post('/auth/reset-password', { email: data.email.trim(), code: data.code.trim(), new_password: data['new-password'] }, { auth: false });
      sessionStorage.removeItem('care-tracker.reset-email');
      ctx.navigate('/sign-in', { message: { title: 'Your password has been changed', text: 'Sign in with your new password.' } });
    } catch (error) {
      if (error.code === 'weak_password') return showErrors(form, passwordErrors(error, 'new-password'));
      if (error.code === 'invalid_code') return showErrors(form, [{ field: 'code', text: error.message }]);
      showErrors(form, apiErrors(error, { email: 'Email address', code: 'Reset code', new_password: 'New password' }, 'code'));
    }
  });
}

export async function signOut(ctx) {
  session.clear();
  session.setChallenge(null);
  ctx.navigate('/signed-out', { replace: true });
}

export async function signedOut(ctx) {
  ctx.show('You have signed out', heading('You have signed out'),
    ctx.query.get('idle') ? p('We signed you out because nothing happened for 30 minutes. This protects the information on a shared computer. Anything you had not saved is lost.') : null,
    p(link('/sign-in', 'Sign in again'), ctx.query.get('idle') ? ' to go back to the page you were on.' : null));
}

export async function deactivated(ctx) {
  session.clear();
  ctx.show('Your account has been deactivated', heading('Your account has been deactivated'),
    p('You can no longer sign in to Care Tracker with this account.'),
    p('If you still need access, ask an approver in your organisation, or the Care Tracker support team, to reactivate it or to give you a new account.'));
}

// Signed in: set up an authenticator app, or replace it (a new phone). Anyone may turn two-step
// sign-in on; approvers, the support team and enforcement officers must have it. Cognito ties the
// app to the access token of this sign-in, which the tab keeps beside the ID token.
const MFA_REQUIRED = ['approver', 'admin', 'enforcement_officer'];

export async function authenticator(ctx) {
  const me = await api.get('/me');
  session.setMe(me);
  if (me.roles.includes('commissioner')) {  // read-only accounts: the API refuses them every write, /me/mfa/* too
    return ctx.show('Two-step sign-in', heading('Two-step sign-in'),
      p('Commissioners\' accounts sign in with a password alone for now: they read figures and change nothing.'));
  }
  const required = me.roles.some((r) => MFA_REQUIRED.includes(r)) || (me.roles_awaiting_mfa || []).length > 0;
  const start = h('form', { novalidate: true }, button(me.mfa_enrolled ? 'Replace your authenticator app' : 'Set up an authenticator app'));
  ctx.show('Two-step sign-in', heading('Two-step sign-in'),
    me.mfa_enrolled
      ? p('Two-step sign-in is on: every sign-in asks for a code from your authenticator app, after your password.')
      : p('Two-step sign-in is off: you sign in with your password alone.'),
    required ? p('Your role needs it, so it cannot be turned off.')
      : me.mfa_enrolled ? null : p('You can turn it on: a code from an app on your phone as well as your password keeps your account safe if someone learns your password.'),
    me.mfa_enrolled ? p('Got a new phone? Replace the app: the old one stops working once the new one is set up. If you have lost your phone and cannot sign in, contact the Care Tracker support team.') : null,
    start,
    me.mfa_enrolled && !required ? p(link('/authenticator/turn-off', 'Turn off two-step sign-in')) : null);
  submitting(start, async () => {
    const access = session.tokens()?.access_token;
    let setup;
    try {
      setup = await api.post('/me/mfa/setup', { access_token: access });
    } catch (error) {
      if (error.status === 401) return;
      return showErrors(start, [{ field: null, text: error.message }]);
    }
    const form = codeForm('Code from your authenticator app', 'Finish setting up');
    ctx.show('Set up an authenticator app', heading('Set up an authenticator app'),
      h('ol', { class: 'govuk-list govuk-list--number' },
        h('li', {}, 'In an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or a password manager), add an account and scan this QR code.'),
        h('li', {}, 'Type the 6-digit code the app then shows.')),
      await qrImage(setup.otpauth_uri),
      h('p', { class: 'govuk-body' }, 'Cannot scan it? Type this key into the app instead: ', h('span', { class: 'app-secret', id: 'mfa-secret' }, setup.secret)),
      form, p(link('/authenticator', 'Cancel')));
    submitting(form, async ({ code }) => {
      const digits = checkCode(form, code);
      if (!digits) return;
      try {
        session.setMe(await api.post('/me/mfa/confirm', { access_token: access, code: digits }));
        ctx.navigate('/authenticator', { message: { title: 'Your authenticator app is set up', text: 'From now on, every sign-in asks for a code from it.' } });
      } catch (error) {
        if (error.status === 401) return;
        showErrors(form, [{ field: 'code', text: error.message || 'That code is not right. Enter the code the app shows now.' }]);
      }
    });
  });
}

// Turning it off (roles that do not need it): the password confirms it, so a tab left signed in
// is not enough. The API refuses the roles that must keep it (mfa_required).
export async function turnOffAuthenticator(ctx) {
  const me = await api.get('/me');
  const required = me.roles.some((r) => MFA_REQUIRED.includes(r)) || (me.roles_awaiting_mfa || []).length > 0;
  if (!me.mfa_enrolled || required || me.roles.includes('commissioner')) return ctx.navigate('/authenticator', { replace: true });
  const form = h('form', { novalidate: true },
    password({ id: 'password', label: 'Your password', hint: 'The password you sign in with, to check it is you' }),
    h('div', { class: 'govuk-button-group' }, button('Turn off two-step sign-in', { class: 'govuk-button govuk-button--warning' }),
      link('/authenticator', 'Cancel')));
  ctx.show('Turn off two-step sign-in', h('a', { class: 'govuk-back-link', href: '/authenticator' }, 'Back'),
    heading('Turn off two-step sign-in'),
    p('You will sign in with your password alone, and your authenticator app will stop working for Care Tracker.'),
    h('div', { class: 'govuk-warning-text' }, h('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
      h('strong', { class: 'govuk-warning-text__text' }, h('span', { class: 'govuk-visually-hidden' }, 'Warning'),
        'Anyone who learns your password can then sign in as you.')),
    form);
  submitting(form, async ({ password: secret }) => {
    if (!secret) return showErrors(form, [{ field: 'password', text: 'Enter your password' }]);
    try {
      session.setMe(await api.post('/me/mfa/turn-off', { password: secret }));
      ctx.navigate('/authenticator', { message: { title: 'Two-step sign-in is turned off', text: 'From now on you sign in with your password alone.' } });
    } catch (error) {
      if (error.status === 401) return;
      showErrors(form, [{ field: 'password', text: error.code === 'wrong_password' ? 'That password is not right. Enter the password you sign in with.' : error.message }]);
    }
  });
}
