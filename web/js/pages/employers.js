// Journey 1, signing up to employ PAs (RULES 2.1), one question a page: who needs care, who
// manages it (and on whose appointment), the funding, the care package in place (without one:
// where to go first), your name and email, check answers, done. No approval: the temporary
// password is emailed. Then the employer's settings (funded hours, pay cycle, leave year,
// domestic service). The draft lives in this tab's sessionStorage until it is sent.
import * as api from '../api.js';
import { h, heading, p, link, button, summaryList, inset, formatDate } from '../dom.js';
import { input, radios, dateInput, readDate, submitting, showErrors } from '../forms.js';
import { problemsOf } from './pas.js';

const DRAFT = 'care-tracker.employer-sign-up';
const draft = () => { try { return JSON.parse(sessionStorage.getItem(DRAFT)) || {}; } catch { return {}; } };
const keep = (changes) => sessionStorage.setItem(DRAFT, JSON.stringify({ ...draft(), ...changes }));
const BASE = '/employer-sign-up';
const CAPTION = 'Sign up to employ personal assistants';

export const FUNDING = {
  direct_payment: ['Direct Payment', 'Money from your council to arrange your own care'],
  personal_budget: ['Personal Budget', 'An amount your council has agreed for your care'],
  compensation_or_trust: ['Compensation payout or trust', null],
  personal_health_budget: ['Personal Health Budget', 'From the NHS'],
  continuing_care: ['NHS Continuing Healthcare', 'Care arranged and funded by the NHS'],
};
export const RELATIONSHIPS = { family_member: 'A family member', friend: 'A friend', social_worker: 'A social worker', health_professional: 'A health professional' };
export const APPOINTED_BY = { the_person: 'The person who needs care', the_funder: 'The council or NHS that funds the care' };
export const PAY_CYCLES = { weekly: 'Every week', two_weekly: 'Every 2 weeks', four_weekly: 'Every 4 weeks', monthly: 'Every month' };

// One question on its page: the legend is the page's heading.
function question(name, legend, options, value, hint) {
  const group = radios({ name, legend, hint, options, value, legendClass: 'govuk-fieldset__legend--l' });
  const legendEl = group.querySelector('legend');
  legendEl.replaceChildren(h('h1', { class: 'govuk-fieldset__heading', tabindex: '-1' }, legend));
  return group;
}

function back(href) {
  return h('a', { class: 'govuk-back-link', href }, 'Back');
}

// Where each answer came from: Continue goes to the next page, or back to check answers after a change.
function next(ctx, path) {
  ctx.navigate(ctx.query.get('check') ? `${BASE}/check` : path);
}

export async function careRecipient(ctx) {
  const d = draft();
  const form = h('form', { novalidate: true },
    input({ id: 'care_recipient_name', label: 'What is the name of the person who needs care?', labelClass: 'govuk-label--l',
      hint: 'If that is you, enter your own name.', autocomplete: 'off', spellcheck: false, value: d.care_recipient_name || '' }),
    button('Continue'));
  form.querySelector('label').replaceWith(h('h1', { class: 'govuk-label-wrapper', tabindex: '-1' },
    h('label', { class: 'govuk-label govuk-label--l', for: 'care_recipient_name' }, 'What is the name of the person who needs care?')));
  ctx.show('Who needs care', h('span', { class: 'govuk-caption-l' }, CAPTION), form,
    p('Care Tracker helps you plan your personal assistants’ shifts, check their timesheets and holiday, and keep the records your council asks for.'),
    p('Already signed up? ', link('/sign-in', 'Sign in'), '.'));
  submitting(form, ({ care_recipient_name: name }) => {
    if (!name.trim()) return showErrors(form, [{ field: 'care_recipient_name', text: 'Enter the name of the person who needs care' }]);
    keep({ care_recipient_name: name.trim() });
    next(ctx, `${BASE}/who-manages`);
  });
}

export async function whoManages(ctx) {
  const d = draft();
  if (!d.care_recipient_name) return ctx.navigate(BASE, { replace: true });
  const form = h('form', { novalidate: true },
    question('managed_by', `Who manages ${d.care_recipient_name}’s care?`, [
      ['self', `${d.care_recipient_name} does`, 'The person who needs care employs the PAs themselves'],
      ['appointed', 'Someone appointed to manage it for them', 'For example a family member, friend, social worker or health professional'],
    ], d.managed_by),
    button('Continue'));
  ctx.show('Who manages the care', back(BASE), h('span', { class: 'govuk-caption-l' }, CAPTION), form);
  submitting(form, ({ managed_by: managedBy }) => {
    if (!managedBy) return showErrors(form, [{ field: 'managed_by', text: 'Select who manages the care' }]);
    keep({ managed_by: managedBy });
    if (managedBy === 'appointed') return ctx.navigate(`${BASE}/appointment${ctx.query.get('check') ? '?check=1' : ''}`);
    next(ctx, `${BASE}/funding`);
  });
}

export async function appointment(ctx) {
  const d = draft();
  if (d.managed_by !== 'appointed') return ctx.navigate(`${BASE}/who-manages`, { replace: true });
  const form = h('form', { novalidate: true },
    h('h1', { class: 'govuk-heading-l', tabindex: '-1' }, 'Your appointment'),
    radios({ name: 'manager_relationship', legend: `How are you related to ${d.care_recipient_name}?`, legendClass: 'govuk-fieldset__legend--m',
      options: Object.entries(RELATIONSHIPS), value: d.manager_relationship }),
    radios({ name: 'appointed_by', legend: 'Who appointed you to manage their care?', legendClass: 'govuk-fieldset__legend--m',
      hint: 'The person can nominate you themselves. Where they cannot decide for themselves, the council or NHS can authorise you.',
      options: Object.entries(APPOINTED_BY), value: d.appointed_by }),
    button('Continue'));
  ctx.show('Your appointment', back(`${BASE}/who-manages`), h('span', { class: 'govuk-caption-l' }, CAPTION), form);
  submitting(form, (values) => {
    const errors = [];
    if (!values.manager_relationship) errors.push({ field: 'manager_relationship', text: `Select how you are related to ${d.care_recipient_name}` });
    if (!values.appointed_by) errors.push({ field: 'appointed_by', text: 'Select who appointed you' });
    if (errors.length) return showErrors(form, errors);
    keep({ manager_relationship: values.manager_relationship, appointed_by: values.appointed_by });
    next(ctx, `${BASE}/funding`);
  });
}

export async function funding(ctx) {
  const d = draft();
  if (!d.managed_by) return ctx.navigate(`${BASE}/who-manages`, { replace: true });
  const form = h('form', { novalidate: true },
    question('funding_type', 'How is the care paid for?', Object.entries(FUNDING).map(([v, [text, hint]]) => [v, text, hint]), d.funding_type),
    button('Continue'));
  ctx.show('How the care is paid for', back(d.managed_by === 'appointed' ? `${BASE}/appointment` : `${BASE}/who-manages`),
    h('span', { class: 'govuk-caption-l' }, CAPTION), form);
  submitting(form, ({ funding_type: type }) => {
    if (!type) return showErrors(form, [{ field: 'funding_type', text: 'Select how the care is paid for' }]);
    keep({ funding_type: type });
    next(ctx, `${BASE}/care-package`);
  });
}

export async function carePackage(ctx) {
  const d = draft();
  if (!d.funding_type) return ctx.navigate(`${BASE}/funding`, { replace: true });
  const form = h('form', { novalidate: true },
    question('care_package', `Is a care package already in place for ${d.care_recipient_name}?`, [
      ['yes', 'Yes', 'The council or NHS has agreed the care and how it is paid for'],
      ['no', 'No, not yet'],
    ], d.care_package_confirmed === undefined ? undefined : (d.care_package_confirmed ? 'yes' : 'no')),
    button('Continue'));
  ctx.show('Care package', back(`${BASE}/funding`), h('span', { class: 'govuk-caption-l' }, CAPTION), form);
  submitting(form, ({ care_package: answer }) => {
    if (!answer) return showErrors(form, [{ field: 'care_package', text: 'Select whether a care package is in place' }]);
    keep({ care_package_confirmed: answer === 'yes' });
    if (answer === 'no') return ctx.navigate(`${BASE}/no-care-package`);
    next(ctx, `${BASE}/your-details`);
  });
}

export async function noCarePackage(ctx) {
  ctx.show('You need a care package first', back(`${BASE}/care-package`),
    heading('You need a care package first', 'l', CAPTION),
    p('You can employ personal assistants through Care Tracker once a care package is in place.'),
    h('h2', { class: 'govuk-heading-m' }, 'Where to go first'),
    h('ul', { class: 'govuk-list govuk-list--bullet' },
      h('li', {}, 'For care paid for by the council (a Direct Payment or Personal Budget): contact your council’s adult social care team and ask for a needs assessment.'),
      h('li', {}, 'For NHS funding (a Personal Health Budget or NHS Continuing Healthcare): contact your integrated care board, or ask your GP.'),
      h('li', {}, 'For a compensation payout or trust: ask the solicitor or trustees who manage it.')),
    p('Nothing has been saved. When the care package is agreed, come back and ', link(BASE, 'sign up'), '.'));
}

export async function yourDetails(ctx) {
  const d = draft();
  if (!d.care_package_confirmed) return ctx.navigate(`${BASE}/care-package`, { replace: true });
  const self = d.managed_by === 'self';
  const form = h('form', { novalidate: true },
    h('h1', { class: 'govuk-heading-l', tabindex: '-1' }, 'Your name and email address'),
    input({ id: 'full_name', label: 'Your full name', autocomplete: 'name', spellcheck: false, value: d.full_name || (self ? d.care_recipient_name : '') }),
    input({ id: 'email', label: 'Your email address', hint: 'It will be your username. We email your temporary password to it.', type: 'email', autocomplete: 'email', spellcheck: false, value: d.email || '' }),
    button('Continue'));
  ctx.show('Your name and email address', back(`${BASE}/care-package`), h('span', { class: 'govuk-caption-l' }, CAPTION), form);
  submitting(form, (values) => {
    const errors = [];
    if (!values.full_name.trim()) errors.push({ field: 'full_name', text: 'Enter your full name' });
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email.trim())) errors.push({ field: 'email', text: 'Enter an email address in the correct format, like name@example.com' });
    if (errors.length) return showErrors(form, errors);
    keep({ full_name: values.full_name.trim(), email: values.email.trim().toLowerCase() });
    ctx.navigate(`${BASE}/check`);
  });
}

const changeLink = (href, what) => link(`${href}?check=1`, h('span', {}, 'Change', h('span', { class: 'govuk-visually-hidden' }, ` ${what}`)));

export async function check(ctx) {
  const d = draft();
  if (!d.email || !d.care_package_confirmed) return ctx.navigate(BASE, { replace: true });
  const appointed = d.managed_by === 'appointed';
  const form = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Now sign up'),
    p(`We will email a temporary password to ${d.email}. You choose your own password the first time you sign in.`),
    button('Sign up'));
  ctx.show('Check your answers', back(`${BASE}/your-details`), heading('Check your answers before you sign up', 'l', CAPTION),
    summaryList([
      ['Person who needs care', d.care_recipient_name, changeLink(BASE, 'the person who needs care')],
      ['Who manages the care', appointed ? 'Someone appointed to manage it' : `${d.care_recipient_name} does`, changeLink(`${BASE}/who-manages`, 'who manages the care')],
      appointed ? ['Your relationship to them', RELATIONSHIPS[d.manager_relationship], changeLink(`${BASE}/appointment`, 'your relationship')] : null,
      appointed ? ['Appointed by', APPOINTED_BY[d.appointed_by], changeLink(`${BASE}/appointment`, 'who appointed you')] : null,
      ['Funding', FUNDING[d.funding_type][0], changeLink(`${BASE}/funding`, 'funding')],
      ['Care package in place', 'Yes', changeLink(`${BASE}/care-package`, 'whether a care package is in place')],
      ['Your name', d.full_name, link(`${BASE}/your-details`, h('span', {}, 'Change', h('span', { class: 'govuk-visually-hidden' }, ' your name')))],
      ['Your email address', d.email, link(`${BASE}/your-details`, h('span', {}, 'Change', h('span', { class: 'govuk-visually-hidden' }, ' your email address')))],
    ].filter(Boolean)),
    form);
  submitting(form, async () => {
    const body = { full_name: d.full_name, email: d.email, care_recipient_name: d.care_recipient_name, managed_by: d.managed_by,
      funding_type: d.funding_type, care_package_confirmed: true,
      ...(appointed ? { manager_relationship: d.manager_relationship, appointed_by: d.appointed_by } : {}) };
    try {
      await api.post('/employers', body, { auth: false });
      sessionStorage.removeItem(DRAFT);
      sessionStorage.setItem('care-tracker.employer-signed-up', d.email);
      ctx.navigate(`${BASE}/done`, { replace: true });
    } catch (error) {
      if (error.code === 'username_taken') {
        const summary = showErrors(form, [{ field: null, text: 'That email address already has a Care Tracker login.' }]);
        summary.querySelector('.govuk-error-summary__body').append(
          p('If it is yours, ', link('/sign-in', 'sign in'), ' (or ', link('/forgot-password', 'reset your password'), '). Otherwise ',
            link(`${BASE}/your-details`, 'use another email address'), '.'));
        return;
      }
      showErrors(form, problemsOf(error, { full_name: 'Your name', email: 'Your email address', care_recipient_name: 'Person who needs care' }));
    }
  });
}

export async function done(ctx) {
  const email = sessionStorage.getItem('care-tracker.employer-signed-up');
  ctx.show('You have signed up', h('div', { class: 'govuk-panel govuk-panel--confirmation' },
    h('h1', { class: 'govuk-panel__title', tabindex: '-1' }, 'You have signed up'),
    h('div', { class: 'govuk-panel__body' }, 'Check your email for your temporary password')),
  h('h2', { class: 'govuk-heading-m' }, 'What happens next'),
  h('ol', { class: 'govuk-list govuk-list--number' },
    h('li', {}, email ? `We have emailed ${email} a temporary password.` : 'We have emailed you a temporary password.'),
    h('li', {}, link('/sign-in', 'Sign in'), ' with it, then choose your own password.'),
    h('li', {}, 'Set your funded hours and pay cycle in your settings, then add your PAs.')));
}

// ---------- the employer's settings ----------
export async function settings(ctx) {
  const me = await api.me();
  const account = await api.get(`/employers/${me.user_id}`);
  const s = account.settings;
  const [leaveMonth, leaveDay] = s.leave_year_start.split('-').map(Number);
  const form = h('form', { novalidate: true },
    input({ id: 'funded_hours_per_week', label: 'Funded hours of care a week', hint: 'From your care package, to compare with the hours your PAs work. For example 30 or 12.5',
      inputmode: 'decimal', width: 4, spellcheck: false, value: s.funded_hours_per_week || '' }),
    radios({ name: 'pay_cycle', legend: 'How often are your PAs paid?', legendClass: 'govuk-fieldset__legend--m', hint: 'Timesheets and holiday follow the pay periods.',
      options: Object.entries(PAY_CYCLES), value: s.pay_cycle || undefined }),
    dateInput('first_period_start', 'When did the first pay period start?', { value: s.first_period_start, legendClass: 'govuk-fieldset__legend--m',
      hint: 'Every later period follows on from it. For example 6 4 2026' }),
    h('div', { class: 'govuk-form-group', 'data-field': 'leave_year_start' },
      h('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': 'leave_year_start-hint' },
        h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' }, 'When does the leave year start?'),
        h('div', { class: 'govuk-hint', id: 'leave_year_start-hint' }, 'The day holiday starts again each year. Most employers use 1 April (1 4).'),
        h('div', { class: 'govuk-date-input', id: 'leave_year_start' },
          ['day', 'month'].map((part) => h('div', { class: 'govuk-date-input__item' }, h('div', { class: 'govuk-form-group' },
            h('label', { class: 'govuk-label govuk-date-input__label', for: `leave_year_start-${part}` }, part === 'day' ? 'Day' : 'Month'),
            h('input', { class: 'govuk-input govuk-date-input__input govuk-input--width-2', id: `leave_year_start-${part}`, name: `leave_year_start-${part}`,
              type: 'text', inputmode: 'numeric', value: String(part === 'day' ? leaveDay : leaveMonth) }))))))),
    radios({ name: 'domestic_service', legend: 'Do your PAs work in your own home, employed by you as a private household?', legendClass: 'govuk-fieldset__legend--m',
      hint: 'This is “domestic service”. The 48-hour week and night-work limits are then shown for information only.',
      options: [['yes', 'Yes'], ['no', 'No']], value: s.domestic_service ? 'yes' : 'no', inline: true }),
    button('Save settings'));
  const appointed = account.managed_by === 'appointed';
  ctx.show('Settings', heading('Settings', 'l', `Care for ${account.care_recipient_name}`),
    account.guidance.length ? inset(account.guidance.map((text) => p(text))) : null,
    h('h2', { class: 'govuk-heading-m' }, 'Your account'),
    summaryList([
      ['Person who needs care', account.care_recipient_name],
      ['Managed by', appointed ? `${account.full_name} (${(RELATIONSHIPS[account.manager_relationship] || '').toLowerCase()}, appointed by ${(APPOINTED_BY[account.appointed_by] || '').toLowerCase()})` : `${account.full_name}, who needs the care`],
      ['Funding', (FUNDING[account.funding_type] || [account.funding_type])[0]],
      ['Email address', account.email],
      ['PAs', String(account.current_pas)],
    ]),
    h('h2', { class: 'govuk-heading-m' }, 'Hours, pay and holiday'),
    s.pay_cycle && s.first_period_start ? [
      p(`Pay periods: ${PAY_CYCLES[s.pay_cycle].toLowerCase()}, from ${formatDate(s.first_period_start)}.`),
      (s.earlier_cycles || []).length ? p(`Before that: ${s.earlier_cycles.map((c) => `${PAY_CYCLES[c.pay_cycle].toLowerCase()} from ${formatDate(c.first_period_start)}`).join(', then ')}.`) : null,
      p(link('/settings/pay-cycle', 'Change the pay cycle from a date'), ' (the pay periods before it stay as they are).'),
    ] : null,
    form);
  submitting(form, async (values) => {
    const errors = [];
    const body = { version: s.version };
    const hours = values.funded_hours_per_week.trim();
    if (hours && !/^\d{1,3}(\.\d{1,2})?$/.test(hours)) errors.push({ field: 'funded_hours_per_week', text: 'Enter the funded hours a week as a number, like 30 or 12.5' });
    else body.funded_hours_per_week = hours || null;
    const first = readDate(values, 'first_period_start');
    if (first === null) errors.push({ field: 'first_period_start', text: 'The first pay period’s start must be a real date, like 6 4 2026' });
    else if (Boolean(values.pay_cycle) !== Boolean(first)) {
      errors.push(values.pay_cycle ? { field: 'first_period_start', text: 'Enter when the first pay period started' } : { field: 'pay_cycle', text: 'Select how often your PAs are paid' });
    } else if (first) { body.pay_cycle = values.pay_cycle; body.first_period_start = first; }
    const [day, month] = ['day', 'month'].map((k) => (values[`leave_year_start-${k}`] || '').trim());
    const real = /^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) && new Date(Date.UTC(2024, Number(month) - 1, Number(day))).getUTCDate() === Number(day) && Number(month) >= 1 && Number(month) <= 12;
    if (!real) errors.push({ field: 'leave_year_start', text: 'Enter the leave year’s first day as a day and month, like 1 4' });
    else body.leave_year_start = `${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    body.domestic_service = values.domestic_service === 'yes';
    if (errors.length) return showErrors(form, errors);
    try {
      await api.put(`/employers/${me.user_id}/settings`, body);
      ctx.navigate('/settings', { replace: true, message: { title: 'Your settings have been saved' } });
    } catch (error) {
      if (error.status === 409) return showErrors(form, [{ field: null, text: 'Your settings were changed somewhere else since you opened this page, so these changes have not been saved. Reload the page and make them again.' }]);
      if (error.code === 'pay_cycle_needs_start') return showErrors(form, [{ field: 'first_period_start', text: error.message }]);
      showErrors(form, problemsOf(error, { funded_hours_per_week: 'Funded hours a week', pay_cycle: 'Pay cycle', first_period_start: 'First pay period start', leave_year_start: 'Leave year start' }));
    }
  });
}

// Changing the pay cycle from a date (RULES 2.1): one question page. The periods before the date
// stay as they were; the API refuses a date inside a period, or one whose timesheets are started.
export async function payCycle(ctx) {
  const me = await api.me();
  const s = (await api.get(`/employers/${me.user_id}`)).settings;
  if (!s.pay_cycle) return ctx.navigate('/settings', { replace: true });
  const form = h('form', { novalidate: true },
    radios({ name: 'pay_cycle', legend: 'How often will your PAs be paid?', legendClass: 'govuk-fieldset__legend--m',
      options: Object.entries(PAY_CYCLES).filter(([value]) => value !== s.pay_cycle) }),
    dateInput('first_period_start', 'From which day?', { legendClass: 'govuk-fieldset__legend--m',
      hint: 'The first day of the first pay period on the new cycle. It must be the first day of one of your current pay periods. For example 4 5 2026' }),
    button('Change pay cycle'));
  ctx.show('Change the pay cycle', back('/settings'), heading('Change the pay cycle', 'l', `Now ${PAY_CYCLES[s.pay_cycle].toLowerCase()}, from ${formatDate(s.first_period_start)}`),
    p('Timesheets and holiday follow the new pay periods from that day. Pay periods before it stay as they are, and so do their timesheets.'),
    form);
  submitting(form, async (values) => {
    const errors = [];
    const first = readDate(values, 'first_period_start');
    if (!values.pay_cycle) errors.push({ field: 'pay_cycle', text: 'Select how often your PAs will be paid' });
    if (!first) errors.push({ field: 'first_period_start', text: 'Enter the day the new pay cycle starts as a real date, like 4 5 2026' });
    if (errors.length) return showErrors(form, errors);
    try {
      const changed = await api.post(`/employers/${me.user_id}/settings/pay-cycle`, { version: s.version, pay_cycle: values.pay_cycle, first_period_start: first });
      const next = changed.next_periods[0];
      ctx.navigate('/settings', { replace: true, message: { title: 'Your pay cycle has changed',
        text: `${PAY_CYCLES[changed.pay_cycle]} from ${formatDate(changed.from)}: the first pay period runs to ${formatDate(next.period_end)}.` } });
    } catch (error) {
      if (error.code === 'pay_cycle_change' || error.code === 'timesheet_started') return showErrors(form, [{ field: 'first_period_start', text: error.message }]);
      if (error.status === 409) return showErrors(form, [{ field: null, text: 'Your settings were changed somewhere else since you opened this page, so the pay cycle has not been changed. Reload the page and try again.' }]);
      showErrors(form, problemsOf(error, { pay_cycle: 'Pay cycle', first_period_start: 'From which day' }));
    }
  });
}
