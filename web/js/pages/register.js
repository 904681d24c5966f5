// Journey 2, asking for an account (RULES 1.2, the seed's four steps): your details, then one or
// more locations found by postcode (or every location of one organisation), then the terms and
// communications, then complete. A commissioner (RULES 1.5a) chooses local authorities instead of
// locations, and the support team decides. The draft lives in this tab's sessionStorage until it is sent.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, inset } from '../dom.js';
import { input, radios, checkboxes, textarea, submitting, showErrors, apiErrors } from '../forms.js';

const DRAFT = 'care-tracker.registration';
const draft = () => { try { return JSON.parse(sessionStorage.getItem(DRAFT)) || {}; } catch { return {}; } };
const keep = (value) => sessionStorage.setItem(DRAFT, JSON.stringify(value));
const caption = (step) => `Ask for an account: step ${step} of 3`;
const DETAILS = { full_name: 'Full name', email: 'Email address', phone: 'Phone number', job_title: 'Job title' };

export async function details(ctx) {
  const d = draft();
  const form = h('form', { novalidate: true },
    input({ id: 'full_name', label: 'Full name', autocomplete: 'name', value: d.full_name || '', spellcheck: false }),
    input({ id: 'email', label: 'Email address', hint: 'Your work email. It will be your username.', type: 'email', autocomplete: 'email', value: d.email || '', spellcheck: false }),
    input({ id: 'phone', label: 'Phone number', type: 'tel', autocomplete: 'tel', value: d.phone || '', width: 20 }),
    input({ id: 'job_title', label: 'Job title', autocomplete: 'organization-title', value: d.job_title || '' }),
    button('Continue'));
  ctx.show('Your details', heading('Your details', 'l', caption(1)),
    p('Care providers registered with the CQC use Care Tracker. An approver in your organisation, or our support team, will check your request.'),
    form, p('Already have an account? ', link('/sign-in', 'Sign in'), '.'));
  submitting(form, (values) => {
    const errors = [];
    if (!values.full_name.trim()) errors.push({ field: 'full_name', text: 'Enter your full name' });
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email.trim())) errors.push({ field: 'email', text: 'Enter an email address in the correct format, like name@example.com' });
    if (!/^[0-9+() -]{5,30}$/.test(values.phone.trim())) errors.push({ field: 'phone', text: 'Enter a phone number, like 01632 960 001 or 07700 900 982' });
    if (!values.job_title.trim()) errors.push({ field: 'job_title', text: 'Enter your job title' });
    if (errors.length) return showErrors(form, errors);
    keep({ ...draft(), full_name: values.full_name.trim(), email: values.email.trim().toLowerCase(), phone: values.phone.trim(), job_title: values.job_title.trim() });
    ctx.navigate('/register/locations');
  });
}

function describe(loc) {
  return [loc.provider_name, ...(loc.address_lines || []), loc.town, loc.postcode].filter(Boolean).join(', ');
}

export async function locations(ctx) {
  const d = draft();
  if (!d.email) return ctx.navigate('/register', { replace: true });
  const chosen = d.locations || [];
  const postcode = ctx.query.get('postcode') || '';
  let found = null;
  let searchError = null;
  if (postcode) {
    try { found = (await api.get(`/locations/search${api.q({ postcode })}`, { auth: false })).locations; } catch (error) { searchError = error; }
  }
  const search = h('form', { novalidate: true, role: 'search' },
    input({ id: 'postcode', label: chosen.length ? 'Search another postcode' : 'Postcode of your location', hint: 'For example BS3 4QT', autocomplete: 'postal-code', width: 10, value: postcode, spellcheck: false }),
    secondary('Find locations'));
  const pick = found && found.length ? h('form', { novalidate: true },
    checkboxes({ name: 'location', legend: `Locations at ${postcode.toUpperCase()}`, legendClass: 'govuk-fieldset__legend--m', hint: 'Select every location you make returns for.',
      options: found.map((loc) => [loc.location_id, loc.name, describe(loc), chosen.some((c) => c.location_id === loc.location_id)]) }),
    button('Add the selected locations', { class: 'govuk-button govuk-button--secondary', name: 'add' }),
    found.length ? h('div', { class: 'govuk-form-group' }, h('p', { class: 'govuk-body' }, 'Or, if you work for the whole organisation:'),
      h('div', { class: 'govuk-button-group' }, [...new Map(found.map((l) => [l.organisation_id, l.provider_name])).entries()].map(([org, name]) =>
        button(`Ask for every location of ${name}`, { class: 'govuk-button govuk-button--secondary', name: 'organisation', value: org, 'data-name': name })))) : null) : null;
  const chosenList = chosen.length || d.organisation_id ? [
    h('h2', { class: 'govuk-heading-m' }, 'You are asking for'),
    d.organisation_id ? p(`Every location of ${d.organisation_name}`) : summaryList(chosen.map((loc) => [loc.name, loc.address,
      h('form', { novalidate: true, class: 'app-remove' }, h('button', { type: 'submit', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', name: 'remove', value: loc.location_id },
        'Remove', h('span', { class: 'govuk-visually-hidden' }, ` ${loc.name}`)))])),
  ] : null;
  const next = h('form', { novalidate: true }, button('Continue'));
  ctx.show('Your locations', heading('Your locations', 'l', caption(2)),
    p('Find the locations you work for by their postcode. You can search several postcodes.'),
    p('Work for a local authority or an NHS discharge team, and need to read the returns of your area? ',
      link('/register/areas', 'Ask for a commissioner\'s account instead'), '.'),
    chosenList, search,
    searchError ? inset(searchError.message) : null,
    found && !found.length ? inset(`We could not find an active location at ${postcode.toUpperCase()}. Check the postcode, or search the postcode CQC has for your location.`) : null,
    pick, next);
  submitting(search, (values) => {
    if (!values.postcode.trim()) return showErrors(search, [{ field: 'postcode', text: 'Enter a postcode' }]);
    ctx.navigate(`/register/locations${api.q({ postcode: values.postcode.trim() })}`);
  });
  if (pick) {
    submitting(pick, (values, submitter) => {
      const now = draft();
      if (submitter && submitter.name === 'organisation') {
        keep({ ...now, organisation_id: submitter.value, organisation_name: submitter.getAttribute('data-name'), locations: [], local_authorities: [] });
        return ctx.navigate('/register/terms');
      }
      const ids = [].concat(values.location || []);
      if (!ids.length) return showErrors(pick, [{ field: 'location', text: 'Select at least one location' }]);
      const merged = [...(now.locations || []).filter((c) => !ids.includes(c.location_id)),
        ...found.filter((loc) => ids.includes(loc.location_id)).map((loc) => ({ location_id: loc.location_id, name: loc.name, address: describe(loc) }))];
      keep({ ...now, locations: merged, organisation_id: null, organisation_name: null, local_authorities: [] });
      ctx.navigate('/register/locations', { replace: true });
    });
  }
  for (const remove of document.querySelectorAll('#main-content form.app-remove')) {
    submitting(remove, (_, submitter) => {
      const now = draft();
      keep({ ...now, locations: (now.locations || []).filter((c) => c.location_id !== submitter.value) });
      ctx.navigate('/register/locations', { replace: true });
    });
  }
  submitting(next, () => {
    const now = draft();
    if (!(now.locations || []).length && !now.organisation_id) return showErrors(search, [{ field: 'postcode', text: 'Find and add at least one location, or ask for every location of your organisation' }]);
    ctx.navigate('/register/terms');
  });
}

const AREAS_HINT = 'One on each line, as the CQC names them: for example Leeds, or Bristol, City of.';

export async function areas(ctx) {
  const d = draft();
  if (!d.email) return ctx.navigate('/register', { replace: true });
  const form = h('form', { novalidate: true },
    textarea({ id: 'local_authorities', label: 'Which local authority areas do you need?', hint: AREAS_HINT, rows: 3 }),
    button('Continue'));
  ctx.show('Your areas', h('a', { class: 'govuk-back-link', href: '/register/locations' }, 'Back'),
    heading('Your areas', 'l', caption(2)),
    p('A commissioner\'s account reads the returns of every care location in its areas: vacant beds, the latest figures, and which locations missed a month. It cannot change anything.'),
    inset('Use your work email at the local authority or NHS: we cannot accept personal email addresses, such as Gmail or Hotmail, for this account. The Care Tracker support team checks each request.'),
    form);
  form.querySelector('textarea').value = (d.local_authorities || []).join('\n');
  submitting(form, (values) => {
    const chosen = [...new Set(values.local_authorities.split(/\n+/).map((x) => x.trim()).filter(Boolean))];
    if (!chosen.length) return showErrors(form, [{ field: 'local_authorities', text: 'Enter at least one local authority' }]);
    if (chosen.length > 20) return showErrors(form, [{ field: 'local_authorities', text: 'Enter at most 20 local authorities' }]);
    keep({ ...draft(), local_authorities: chosen, locations: [], organisation_id: null, organisation_name: null });
    ctx.navigate('/register/terms');
  });
}

export async function terms(ctx) {
  const d = draft();
  if (!d.email) return ctx.navigate('/register', { replace: true });
  const commissioner = (d.local_authorities || []).length > 0;
  if (!(d.locations || []).length && !d.organisation_id && !commissioner) return ctx.navigate('/register/locations', { replace: true });
  const form = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Terms of use'),
    p('You will use Care Tracker only for the organisation and locations you are given, keep your sign-in to yourself, and make returns that are true to the best of your knowledge.'),
    checkboxes({ name: 'terms', legend: 'Terms of use', options: [['yes', 'I agree to the terms of use']] }),
    radios({ name: 'comms', legend: 'Communications', legendClass: 'govuk-fieldset__legend--m',
      hint: 'Can we email you news about Care Tracker, such as webinars and changes to the return? You can change this later.',
      options: [['yes', 'Yes, email me news'], ['no', 'No, only emails about my account and returns']], value: d.comms }),
    button('Send my request'));
  const rows = [['Name', d.full_name, link('/register', 'Change', { 'aria-label': 'Change your details' })], ['Email address', d.email], ['Phone', d.phone], ['Job title', d.job_title],
    commissioner ? ['Local authorities', d.local_authorities.join('; '), link('/register/areas', 'Change', { 'aria-label': 'Change your local authorities' })]
      : ['Locations', d.organisation_id ? `Every location of ${d.organisation_name}` : d.locations.map((l) => l.name).join(', '), link('/register/locations', 'Change', { 'aria-label': 'Change your locations' })]];
  ctx.show('Terms and communications', heading('Terms and communications', 'l', caption(3)), summaryList(rows), form);
  submitting(form, async (values) => {
    const errors = [];
    if (values.terms !== 'yes') errors.push({ field: 'terms', text: 'You must agree to the terms of use to ask for an account' });
    if (!values.comms) errors.push({ field: 'comms', text: 'Select whether we can email you news' });
    if (errors.length) return showErrors(form, errors);
    keep({ ...d, comms: values.comms });
    const body = { full_name: d.full_name, email: d.email, phone: d.phone, job_title: d.job_title, terms_accepted: true, comms_consent: values.comms === 'yes' };
    if (commissioner) body.local_authorities = d.local_authorities;
    else if (d.organisation_id) body.organisation_id = d.organisation_id; else body.location_ids = d.locations.map((l) => l.location_id);
    try {
      await api.post('/registrations', body, { auth: false });
      sessionStorage.removeItem(DRAFT);
      sessionStorage.setItem('care-tracker.registered', d.email);
      sessionStorage.setItem('care-tracker.registered-as', commissioner ? 'commissioner' : 'provider');
      ctx.navigate('/register/complete', { replace: true });
    } catch (error) {
      if (error.code === 'username_taken') {
        const summary = showErrors(form, [{ field: null, text: 'Username taken: that email address already has an account, or a request waiting for a decision.' }]);
        summary.querySelector('.govuk-error-summary__body').append(
          p('If it is yours, ', link('/forgot-password', 'reset your password'), ' and sign in. Otherwise ', link('/register', 'use another email address'), '.'));
        return;
      }
      if (error.code === 'organisational_email_required' || error.code === 'unknown_local_authority') {
        const summary = showErrors(form, [{ field: null, text: error.message }]);
        summary.querySelector('.govuk-error-summary__body').append(error.code === 'unknown_local_authority'
          ? p(link('/register/areas', 'Change your local authorities'), '.') : p(link('/register', 'Change your email address'), '.'));
        return;
      }
      showErrors(form, apiErrors(error, DETAILS));
    }
  });
}

export async function complete(ctx) {
  const email = sessionStorage.getItem('care-tracker.registered');
  const commissioner = sessionStorage.getItem('care-tracker.registered-as') === 'commissioner';
  ctx.show('Request sent', h('div', { class: 'govuk-panel govuk-panel--confirmation' },
    h('h1', { class: 'govuk-panel__title', tabindex: '-1' }, 'Request sent'),
    h('div', { class: 'govuk-panel__body' }, commissioner ? 'Our support team will look at it soon' : 'An approver will look at it soon')),
  h('h2', { class: 'govuk-heading-m' }, 'What happens next'),
  p(commissioner ? 'The Care Tracker support team checks that you work for the local authority or NHS body, and the areas you asked for.'
    : 'An approver in your organisation checks your request. Where your organisation has no approver yet, the Care Tracker support team does.'),
  p(email ? `When it is approved we will email ${email} a temporary password. You choose your own password the first time you sign in.` : 'When it is approved we will email you a temporary password.'),
  p('If it is rejected, we will email you the reason.'),
  p(link('/', 'Back to the start')));
}
