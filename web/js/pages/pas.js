// Journey 2, an employer's PAs (RULES 2.2, 2.5): the list a page at a time (the employer's landing
// page, saying what to do first when there are none), adding a PA one question a page then check
// answers (a family member or friend only with the care package provider's agreement; National
// Insurance number problems in words, beside the field on the page that asks for it), one
// PA's record and correcting it, archiving with a leaving date through a check-answers page that
// says what is deleted and what is kept for 7 years, the archived list, and reactivation.
import * as api from '../api.js';
import { DRAFTS } from '../session.js';
import { h, heading, p, link, button, summaryList, table, tag, inset, formatDate } from '../dom.js';
import { input, textarea, radios, checkboxes, fieldset, dateInput, readDate, submitting, showErrors, clearErrors } from '../forms.js';

const PAGE_SIZE = 10;
const RELATIONSHIPS = { none: 'Not a family member or friend', family_member: 'A family member', friend: 'A friend' };
const DBS_LEVELS = { basic: 'Basic', standard: 'Standard', enhanced: 'Enhanced', enhanced_with_barred_lists: 'Enhanced with barred lists' };
const LABELS = {
  full_name: 'Full name', pa_name: 'Full name', email: 'Email address', phone: 'Phone number', address: 'Address',
  date_of_birth: 'Date of birth', ni_number: 'National Insurance number', start_date: 'Start date', hours: 'Hours',
  contracted_hours: 'Contracted hours a week', relationship: 'Relationship', provider_agreed: 'The care package provider’s agreement',
  emergency_contact_name: 'Emergency contact’s name', emergency_contact_phone: 'Emergency contact’s phone number',
  emergency_contact_relationship: 'Emergency contact’s relationship', dbs_certificate_number: 'DBS certificate number',
  dbs_issue_date: 'DBS issue date', dbs_level: 'DBS check level', right_to_work_checked: 'Right to work checked on',
  opt_out_start: '48-hour opt-out signed on', opt_out_cancelled: '48-hour opt-out cancelled on', leaving_date: 'Leaving date',
};
const ARCHIVE_DRAFT = 'care-tracker.archive';

export async function employerId() {
  return (await api.me()).user_id;
}

export function todayIso() {
  const x = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date()).map((part) => [part.type, part.value]));
  return `${x.year}-${x.month}-${x.day}`;
}

// The API's problems in words against their fields ("Value error, " is pydantic's, not ours).
export function problemsOf(error, labels, fallbackField = null) {
  const problems = error.details && Array.isArray(error.details.problems) ? error.details.problems : [];
  const found = problems.filter((pr) => pr && typeof pr === 'object' && pr.field).map((pr) => {
    const field = String(pr.field).split('.').pop();
    const text = String(pr.problem).replace(/^Value error, /, '');
    const label = labels[field];
    if (!label) return { field: fallbackField, text };
    // "a National Insurance number never starts with D…" names its field already: no label before it.
    const named = text.toLowerCase().includes(label.toLowerCase());
    return { field, text: named ? text.charAt(0).toUpperCase() + text.slice(1) : `${label}: ${text}` };
  });
  return found.length ? found : [{ field: fallbackField, text: error.message }];
}

function hoursText(pa) {
  return pa.irregular_hours ? 'Irregular hours' : `${pa.contracted_hours} hours a week`;
}

function statusTag(status) {
  if (status === 'details_missing') return tag('Details to fill in', 'yellow');
  if (status === 'archived') return tag('Archived', 'grey');
  return tag('Active', 'green');
}

// 7 years after the leaving date; from 29 February it is 1 March (rules/employment.py).
export function retentionDate(leaving) {
  const [y, m, d] = leaving.split('-').map(Number);
  const date = new Date(Date.UTC(y + 7, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return `${y + 7}-03-01`;
  return `${y + 7}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function pager(path, ctx, nextCursor) {
  const first = !ctx.query.get('cursor');
  if (first && !nextCursor) return null;
  return h('nav', { class: 'govuk-pagination govuk-pagination--block', 'aria-label': 'Pages of PAs' },
    first ? null : h('div', { class: 'govuk-pagination__prev' }, h('a', { class: 'govuk-link govuk-pagination__link', href: path, rel: 'prev' },
      h('span', { class: 'govuk-pagination__link-title' }, 'First page'))),
    nextCursor ? h('div', { class: 'govuk-pagination__next' }, h('a', { class: 'govuk-link govuk-pagination__link', href: `${path}${api.q({ cursor: nextCursor })}`, rel: 'next' },
      h('span', { class: 'govuk-pagination__link-title' }, 'Next page'))) : null);
}

// ---------- the list ----------
export async function list(ctx) {
  const id = await employerId();
  const cursor = ctx.query.get('cursor');
  const [account, page] = await Promise.all([api.get(`/employers/${id}`),
    api.get(`/employers/${id}/pas${api.q({ status: 'current', limit: PAGE_SIZE, cursor })}`)]);
  const add = h('a', { href: '/pas/add', role: 'button', draggable: 'false', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Add a PA');
  const none = !page.pas.length && !cursor;
  const settingsSet = account.settings.pay_cycle && account.settings.funded_hours_per_week;
  ctx.show('Your PAs', heading('Your PAs', 'l', `Care for ${account.care_recipient_name}`),
    none ? [
      p('You have not added any personal assistants (PAs) yet. To start:'),
      h('ol', { class: 'govuk-list govuk-list--number' },
        h('li', {}, settingsSet ? 'Your settings are done: ' : '', link('/settings', settingsSet ? 'check your settings' : 'Set your funded hours and pay cycle in your settings'), settingsSet ? '.' : ' (timesheets and holiday need the pay cycle).'),
        h('li', {}, 'Add each PA who works for you. We email them a temporary password to sign in.'),
        h('li', {}, 'Plan their shifts on the ', link('/rota', 'rota'), '.')),
    ] : null,
    account.guidance.length ? inset(account.guidance.map((text) => p(text))) : null,
    add,
    page.pas.length ? table(`PAs (${account.current_pas} current)`, ['Name', 'Status', 'Started', 'Hours'],
      page.pas.map((pa) => [link(`/pas/${pa.pa_id}`, pa.pa_name), statusTag(pa.status), formatDate(pa.start_date), hoursText(pa)]))
      : (cursor ? p('There are no more PAs.') : null),
    pager('/pas', ctx, page.next_cursor),
    p(link('/pas/archived', 'PAs who have left (archived)')));
}

export async function archived(ctx) {
  const id = await employerId();
  const cursor = ctx.query.get('cursor');
  const page = await api.get(`/employers/${id}/pas${api.q({ status: 'archived', limit: PAGE_SIZE, cursor })}`);
  ctx.show('PAs who have left', h('a', { class: 'govuk-back-link', href: '/pas' }, 'Back to your PAs'),
    heading('PAs who have left', 'l', 'Archived'),
    p('For each PA who has left we keep only their name, email address and National Insurance number, with their work history, for 7 years after they left. You can reactivate one from their page.'),
    page.pas.length ? table('Archived PAs', ['Name', 'National Insurance number', 'Started', 'Left'],
      page.pas.map((pa) => [link(`/pas/${pa.pa_id}`, pa.pa_name), pa.ni_number, formatDate(pa.start_date), pa.leaving_date ? formatDate(pa.leaving_date) : '']))
      : p(cursor ? 'There are no more archived PAs.' : 'No PA has left yet.'),
    pager('/pas/archived', ctx, page.next_cursor));
}

// ---------- adding a PA ----------
function hoursFields(values = {}) {
  return [
    radios({ name: 'hours', legend: 'Their hours', legendClass: 'govuk-fieldset__legend--s', hint: 'Holiday is worked out from this.',
      options: [['contracted', 'Contracted hours each week'], ['irregular', 'Irregular hours', 'Hours that change from week to week. Holiday builds up as 12.07% of the hours they work.']],
      value: values.hours }),
    input({ id: 'contracted_hours', label: 'Contracted hours a week', hint: 'Only for contracted hours. For example 20 or 37.5', inputmode: 'decimal', width: 4, spellcheck: false, value: values.contracted_hours || '' }),
  ];
}

// The provider's agreement is asked only of a family member or friend: revealed under each of those
// answers (its own box for each, so a box ticked under the other answer never counts).
const agreedName = (relationship) => `provider_agreed_${relationship}`;

function relationshipFields(values = {}) {
  const agreement = (v, who) => checkboxes({ name: agreedName(v), legend: 'The care package provider’s agreement',
    hint: `They can be your PA only once the provider of the care package (usually your council) has agreed.`,
    options: [['yes', `The care package provider has agreed that this ${who} can be my PA`, null, values.relationship === v && values.provider_agreed]] });
  return radios({ name: 'relationship', legend: 'Are they a family member or friend of the person who needs care?', legendClass: 'govuk-fieldset__legend--s',
    options: Object.entries(RELATIONSHIPS).map(([v, t]) => [v, v === 'none' ? 'No' : `Yes, ${t.toLowerCase()}`]), value: values.relationship,
    conditional: { family_member: agreement('family_member', 'family member'), friend: agreement('friend', 'friend') } });
}

function checkHours(values, errors) {
  if (!values.hours) errors.push({ field: 'hours', text: 'Select contracted hours or irregular hours' });
  else if (values.hours === 'contracted' && !/^\d{1,3}(\.\d{1,2})?$/.test((values.contracted_hours || '').trim())) {
    errors.push({ field: 'contracted_hours', text: 'Enter the contracted hours a week as a number, like 20 or 37.5' });
  }
}

// Also sets values.provider_agreed from the box under the answer chosen.
function checkRelationship(values, errors) {
  values.provider_agreed = values.relationship ? values[agreedName(values.relationship)] : undefined;
  if (!values.relationship) errors.push({ field: 'relationship', text: 'Select whether they are a family member or friend' });
  else if (values.relationship !== 'none' && values.provider_agreed !== 'yes') {
    errors.push({ field: agreedName(values.relationship), text: 'A family member or friend can be your PA only once the care package provider has agreed. Ask the provider first, then confirm it here.' });
  }
}

// The API's refusals by code, against the field a person can fix.
function addErrors(error, values) {
  const field = { invalid_ni_number: 'ni_number', ni_number_taken: 'ni_number', provider_agreement_needed: agreedName(values.relationship), invalid_date_of_birth: 'date_of_birth',
    username_taken: 'email', own_pa: 'email', account_deactivated: 'email' }[error.code];
  if (field) return [{ field, text: error.message }];
  return problemsOf(error, LABELS);
}

// The answers live in this tab's sessionStorage until the PA is added or the employer signs out.
const ADD_DRAFT = `${DRAFTS}add-pa`;
const addDraft = () => { try { return JSON.parse(sessionStorage.getItem(ADD_DRAFT)) || {}; } catch { return {}; } };
const keepAdd = (changes) => sessionStorage.setItem(ADD_DRAFT, JSON.stringify({ ...addDraft(), ...changes }));
const ADD = '/pas/add';
const ADD_CAPTION = 'Add a PA';
// The page that asks for each answer: the check page's change links, and where an API refusal is shown.
const ASKED_ON = { full_name: ADD, email: ADD, phone: ADD, address: ADD, date_of_birth: `${ADD}/identity`, ni_number: `${ADD}/identity`,
  start_date: `${ADD}/job`, hours: `${ADD}/job`, contracted_hours: `${ADD}/job`, relationship: `${ADD}/family`,
  provider_agreed_family_member: `${ADD}/family`, provider_agreed_friend: `${ADD}/family`,
  emergency_contact_name: `${ADD}/emergency-contact`, emergency_contact_phone: `${ADD}/emergency-contact`, emergency_contact_relationship: `${ADD}/emergency-contact` };

function addBack(href) {
  return h('a', { class: 'govuk-back-link', href }, 'Back');
}

// Continue goes to the next page, or back to check answers after a change.
function addNext(ctx, path) {
  ctx.navigate(ctx.query.get('check') ? `${ADD}/check` : path);
}

// The page shows the form, then a refusal the check page sent it back with (the API's words beside the field).
function askPage(ctx, title, backTo, form, ...before) {
  ctx.show(title, addBack(ctx.query.get('check') ? `${ADD}/check` : backTo), h('span', { class: 'govuk-caption-l' }, ADD_CAPTION), ...before, form);
  const refused = addDraft().refused;
  if (refused && form.querySelector(`[data-field="${CSS.escape(refused.field)}"]`)) {
    keepAdd({ refused: null });
    showErrors(form, [refused]);
  }
}

const addHeading = (text) => h('h1', { class: 'govuk-heading-l', tabindex: '-1' }, text);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export async function add(ctx) {
  // A fresh start clears an abandoned draft; coming back (from check answers or the next page) keeps it.
  if (!ctx.query.get('check') && !ctx.query.get('back')) sessionStorage.removeItem(ADD_DRAFT);
  const d = addDraft();
  const form = h('form', { novalidate: true },
    input({ id: 'full_name', label: 'Full name', autocomplete: 'off', spellcheck: false, value: d.full_name || '' }),
    input({ id: 'email', label: 'Email address', hint: 'It will be their username. We email them a temporary password to sign in.', type: 'email', autocomplete: 'off', spellcheck: false, value: d.email || '' }),
    input({ id: 'phone', label: 'Phone number', type: 'tel', autocomplete: 'off', width: 20, value: d.phone || '' }),
    textarea({ id: 'address', label: 'Address', hint: 'Their home address, with the postcode', rows: 3 }),
    button('Continue'));
  form.querySelector('#address').value = d.address || '';
  askPage(ctx, 'Their name and contact details', '/pas', form, addHeading('Their name and contact details'),
    p('We ask a few questions about the PA, then you check your answers before they are added.'));
  submitting(form, (values) => {
    const errors = [];
    if (!values.full_name.trim()) errors.push({ field: 'full_name', text: 'Enter their full name' });
    if (!EMAIL.test(values.email.trim())) errors.push({ field: 'email', text: 'Enter their email address in the correct format, like name@example.com' });
    if (!values.phone.trim()) errors.push({ field: 'phone', text: 'Enter their phone number' });
    if (!values.address.trim()) errors.push({ field: 'address', text: 'Enter their address' });
    if (errors.length) return showErrors(form, errors);
    keepAdd({ full_name: values.full_name.trim(), email: values.email.trim(), phone: values.phone.trim(), address: values.address.trim() });
    addNext(ctx, `${ADD}/identity`);
  });
}

export async function addIdentity(ctx) {
  const d = addDraft();
  if (!d.full_name) return ctx.navigate(ADD, { replace: true });
  const form = h('form', { novalidate: true },
    dateInput('date_of_birth', 'Date of birth', { hint: 'For example 27 3 1990', value: d.date_of_birth }),
    input({ id: 'ni_number', label: 'National Insurance number', hint: 'It’s on their payslip, P60 or letters about tax, pensions or benefits. Two letters, six numbers and one letter from A to D, like QQ 12 34 56 C.', width: 10, spellcheck: false, value: d.ni_number || '', attrs: { autocapitalize: 'characters' } }),
    button('Continue'));
  askPage(ctx, `${d.full_name}’s date of birth and National Insurance number`, `${ADD}?back=1`, form,
    addHeading(`${d.full_name}’s date of birth and National Insurance number`));
  submitting(form, (values) => {
    const errors = [];
    const dob = readDate(values, 'date_of_birth');
    if (!dob) errors.push({ field: 'date_of_birth', text: dob === '' ? 'Enter their date of birth' : 'Date of birth must be a real date, like 27 3 1990' });
    if (!values.ni_number.trim()) errors.push({ field: 'ni_number', text: 'Enter their National Insurance number' });
    if (errors.length) return showErrors(form, errors);
    keepAdd({ date_of_birth: dob, ni_number: values.ni_number.trim() });
    addNext(ctx, `${ADD}/job`);
  });
}

export async function addJob(ctx) {
  const d = addDraft();
  if (!d.ni_number) return ctx.navigate(`${ADD}/identity`, { replace: true });
  const form = h('form', { novalidate: true },
    dateInput('start_date', 'Start date', { hint: 'Their first day working for you, for example 5 1 2026', value: d.start_date }),
    hoursFields(d),
    button('Continue'));
  askPage(ctx, `${d.full_name}’s job`, `${ADD}/identity`, form, addHeading(`${d.full_name}’s job`));
  submitting(form, (values) => {
    const errors = [];
    const start = readDate(values, 'start_date');
    if (!start) errors.push({ field: 'start_date', text: start === '' ? 'Enter their start date' : 'Start date must be a real date, like 5 1 2026' });
    checkHours(values, errors);
    if (errors.length) return showErrors(form, errors);
    keepAdd({ start_date: start, hours: values.hours, contracted_hours: values.hours === 'contracted' ? values.contracted_hours.trim() : '' });
    addNext(ctx, `${ADD}/family`);
  });
}

export async function addFamily(ctx) {
  const d = addDraft();
  if (!d.hours) return ctx.navigate(`${ADD}/job`, { replace: true });
  const group = relationshipFields({ relationship: d.relationship, provider_agreed: d.provider_agreed });
  // The question is the page's heading.
  const legend = group.querySelector('legend');
  legend.className = 'govuk-fieldset__legend govuk-fieldset__legend--l';
  legend.replaceChildren(h('h1', { class: 'govuk-fieldset__heading', tabindex: '-1' }, `Is ${d.full_name} a family member or friend of the person who needs care?`));
  const form = h('form', { novalidate: true }, group, button('Continue'));
  askPage(ctx, `Is ${d.full_name} a family member or friend?`, `${ADD}/job`, form);
  submitting(form, (values) => {
    const errors = [];
    checkRelationship(values, errors);
    if (errors.length) return showErrors(form, errors);
    keepAdd({ relationship: values.relationship, provider_agreed: values.relationship !== 'none' && values.provider_agreed === 'yes' });
    addNext(ctx, `${ADD}/emergency-contact`);
  });
}

export async function addEmergencyContact(ctx) {
  const d = addDraft();
  if (!d.relationship) return ctx.navigate(`${ADD}/family`, { replace: true });
  const form = h('form', { novalidate: true },
    input({ id: 'emergency_contact_name', label: 'Name', autocomplete: 'off', spellcheck: false, value: d.emergency_contact_name || '' }),
    input({ id: 'emergency_contact_phone', label: 'Phone number', type: 'tel', autocomplete: 'off', width: 20, value: d.emergency_contact_phone || '' }),
    input({ id: 'emergency_contact_relationship', label: 'Relationship to the PA', hint: 'For example partner or parent', width: 20, value: d.emergency_contact_relationship || '' }),
    button('Continue'));
  askPage(ctx, `${d.full_name}’s emergency contact`, `${ADD}/family`, form, addHeading(`${d.full_name}’s emergency contact (optional)`),
    p('Who to call if something happens to them at work. Leave it empty if you do not know yet: you can add it later.'));
  submitting(form, (values) => {
    const names = ['emergency_contact_name', 'emergency_contact_phone', 'emergency_contact_relationship'];
    keepAdd(Object.fromEntries(names.map((name) => [name, values[name].trim()])));
    ctx.navigate(`${ADD}/check`);
  });
}

export async function addCheck(ctx) {
  const d = addDraft();
  if (!d.relationship) return ctx.navigate(ADD, { replace: true });
  const row = (key, value, field, what) => [key, value, change(`${ASKED_ON[field]}?check=1`, what)];
  const contact = [d.emergency_contact_name, d.emergency_contact_phone, d.emergency_contact_relationship].filter(Boolean);
  const form = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Now add the PA'),
    p(`We will email ${d.email} a temporary password so they can sign in.`),
    button('Add this PA'));
  ctx.show('Check your answers before adding the PA', addBack(`${ADD}/emergency-contact`), h('span', { class: 'govuk-caption-l' }, ADD_CAPTION),
    addHeading('Check your answers before adding the PA'),
    summaryList([
      row('Full name', d.full_name, 'full_name', 'full name'),
      row('Email address', d.email, 'email', 'email address'),
      row('Phone number', d.phone, 'phone', 'phone number'),
      row('Address', d.address, 'address', 'address'),
      row('Date of birth', formatDate(d.date_of_birth), 'date_of_birth', 'date of birth'),
      row('National Insurance number', d.ni_number, 'ni_number', 'National Insurance number'),
      row('Start date', formatDate(d.start_date), 'start_date', 'start date'),
      row('Hours', d.hours === 'irregular' ? 'Irregular hours' : `${d.contracted_hours} hours a week`, 'hours', 'hours'),
      row('Family member or friend', RELATIONSHIPS[d.relationship], 'relationship', 'whether they are a family member or friend'),
      d.relationship !== 'none' ? row('Care package provider agreed', d.provider_agreed ? 'Yes' : 'No', 'relationship', 'the provider’s agreement') : null,
      row('Emergency contact', contact.length ? contact.join(', ') : 'None given', 'emergency_contact_name', 'emergency contact'),
    ].filter(Boolean)),
    form);
  submitting(form, async () => {
    const body = { full_name: d.full_name, email: d.email, phone: d.phone, address: d.address, date_of_birth: d.date_of_birth,
      ni_number: d.ni_number, start_date: d.start_date, relationship: d.relationship, provider_agreed: Boolean(d.provider_agreed) };
    if (d.hours === 'irregular') body.irregular_hours = true; else body.contracted_hours = d.contracted_hours;
    for (const name of ['emergency_contact_name', 'emergency_contact_phone', 'emergency_contact_relationship']) if (d[name]) body[name] = d[name];
    try {
      const pa = await api.post(`/employers/${await employerId()}/pas`, body);
      sessionStorage.removeItem(ADD_DRAFT);
      ctx.navigate(`/pas/${pa.pa_id}`, { message: { title: `${pa.pa_name} added`, text: `We have emailed ${pa.email} how to sign in.` } });
    } catch (error) {
      // A refusal about one answer goes back to its page, in the API's words beside the field.
      const [first] = addErrors(error, d);
      if (first && first.field && ASKED_ON[first.field]) {
        keepAdd({ refused: first });
        return ctx.navigate(`${ASKED_ON[first.field]}?check=1`);
      }
      showErrors(form, addErrors(error, d));
    }
  });
}

// ---------- one PA ----------
const orNot = (value, text = 'Not recorded') => (value === null || value === undefined || value === '' ? text : value);
const dateOrNot = (value) => (value ? formatDate(value) : 'Not recorded');
const change = (href, what) => link(href, h('span', {}, 'Change', h('span', { class: 'govuk-visually-hidden' }, ` ${what}`)));

export async function onePa(ctx) {
  const id = await employerId();
  const pa = await api.get(`/employers/${id}/pas/${encodeURIComponent(ctx.params.pa_id)}`);
  const here = `/pas/${pa.pa_id}`;
  const edit = `${here}/change`;
  if (pa.status === 'archived') return archivedPa(ctx, id, pa);
  ctx.show(pa.pa_name, h('a', { class: 'govuk-back-link', href: '/pas' }, 'Back to your PAs'),
    heading(pa.pa_name, 'l', 'PA'),
    p(statusTag(pa.status)),
    pa.status === 'details_missing' ? inset(`${pa.pa_name} was reactivated. They must sign in and fill in their phone number, address and date of birth again before anything else.`) : null,
    h('h2', { class: 'govuk-heading-m' }, 'Personal details'),
    summaryList([
      ['Full name', pa.pa_name, change(`${edit}#pa_name`, 'full name')],
      ['Email address (username)', orNot(pa.email)],
      ['Phone number', orNot(pa.phone), change(`${edit}#phone`, 'phone number')],
      ['Address', orNot(pa.address), change(`${edit}#address`, 'address')],
      ['Date of birth', dateOrNot(pa.date_of_birth), change(`${edit}#date_of_birth-day`, 'date of birth')],
      ['National Insurance number', pa.ni_number, change(`${edit}#ni_number`, 'National Insurance number')],
    ]),
    h('h2', { class: 'govuk-heading-m' }, 'Their job'),
    summaryList([
      ['Start date', formatDate(pa.start_date)],
      ['Hours', hoursText(pa), change(`${edit}#hours`, 'hours')],
      ['Family member or friend', RELATIONSHIPS[pa.relationship] || 'Not recorded', change(`${edit}#relationship`, 'relationship')],
      pa.relationship && pa.relationship !== 'none' ? ['Care package provider agreed', pa.provider_agreed ? 'Yes' : 'No'] : null,
      pa.earlier_periods.length ? ['Worked for you before', pa.earlier_periods.map((x) => `${formatDate(x.start_date)} to ${formatDate(x.leaving_date)}`).join('; ')] : null,
    ].filter(Boolean)),
    h('h2', { class: 'govuk-heading-m' }, 'Checks and opt-out'),
    summaryList([
      ['DBS certificate number', orNot(pa.dbs_certificate_number), change(`${edit}#dbs_certificate_number`, 'DBS certificate number')],
      ['DBS issue date', dateOrNot(pa.dbs_issue_date)],
      ['DBS check level', orNot(DBS_LEVELS[pa.dbs_level])],
      ['Right to work checked on', dateOrNot(pa.right_to_work_checked), change(`${edit}#right_to_work_checked-day`, 'right to work check date')],
      ['48-hour opt-out signed on', dateOrNot(pa.opt_out_start), change(`${edit}#opt_out_start-day`, '48-hour opt-out')],
      pa.opt_out_start ? ['48-hour opt-out cancelled on', pa.opt_out_cancelled ? formatDate(pa.opt_out_cancelled) : 'Not cancelled'] : null,
    ].filter(Boolean)),
    h('h2', { class: 'govuk-heading-m' }, 'Emergency contact'),
    summaryList([
      ['Name', orNot(pa.emergency_contact_name), change(`${edit}#emergency_contact_name`, 'emergency contact')],
      ['Phone number', orNot(pa.emergency_contact_phone)],
      ['Relationship', orNot(pa.emergency_contact_relationship)],
    ]),
    h('h2', { class: 'govuk-heading-m' }, 'Their work'),
    h('ul', { class: 'govuk-list' },
      h('li', {}, link('/rota', 'The rota')),
      h('li', {}, link('/timesheets', 'Timesheets')),
      h('li', {}, link(`/holiday/${pa.pa_id}`, `${pa.pa_name}’s holiday`))),
    h('h2', { class: 'govuk-heading-m' }, 'Has this PA left?'),
    p('Archive them with their leaving date. You will see exactly what is deleted and what is kept before you confirm.'),
    h('a', { href: `${here}/archive`, role: 'button', draggable: 'false', class: 'govuk-button govuk-button--warning', 'data-module': 'govuk-button' },
      `Archive ${pa.pa_name}`));
}

function archivedPa(ctx, id, pa) {
  const form = h('form', { novalidate: true },
    dateInput('start_date', 'New start date', { hint: `After their leaving date (${formatDate(pa.leaving_date)}), for example ${sampleDate()}`, legendClass: 'govuk-fieldset__legend--s' }),
    button(`Reactivate ${pa.pa_name}`));
  ctx.show(pa.pa_name, h('a', { class: 'govuk-back-link', href: '/pas/archived' }, 'Back to PAs who have left'),
    heading(pa.pa_name, 'l', 'PA who has left'),
    p(statusTag('archived')),
    summaryList([
      ['Full name', pa.pa_name],
      ['Email address (username)', orNot(pa.email)],
      ['National Insurance number', pa.ni_number],
      ['Started', formatDate(pa.start_date)],
      ['Left', pa.leaving_date ? formatDate(pa.leaving_date) : 'Not recorded'],
      ['Kept until', pa.retained_until ? formatDate(pa.retained_until) : 'Not recorded'],
    ]),
    p(`Their other personal details were deleted when they left. Their work history (shifts, timesheets, holiday) is kept until ${pa.retained_until ? formatDate(pa.retained_until) : '7 years after they left'}, then deleted with this record.`),
    h('h2', { class: 'govuk-heading-m' }, 'Are they coming back?'),
    p('Reactivate them with a new start date. We email them: they choose a new password if they need one, and fill in their personal details again before anything else.'),
    form);
  submitting(form, async (values) => {
    const start = readDate(values, 'start_date');
    if (!start) return showErrors(form, [{ field: 'start_date', text: start === '' ? 'Enter their new start date' : `New start date must be a real date, like ${sampleDate()}` }]);
    if (pa.leaving_date && start <= pa.leaving_date) return showErrors(form, [{ field: 'start_date', text: `New start date must be after their leaving date, ${formatDate(pa.leaving_date)}` }]);
    try {
      const done = await api.post(`/employers/${id}/pas/${pa.pa_id}/reactivate`, { start_date: start });
      ctx.navigate(`/pas/${done.pa_id}`, { message: { title: `${done.pa_name} reactivated`, text: `They start again on ${formatDate(done.start_date)}. We have emailed them: they must sign in and fill in their details again.` } });
    } catch (error) {
      showErrors(form, [{ field: 'start_date', text: error.message }]);
    }
  });
}

function sampleDate() {
  const [y, m, d] = todayIso().split('-').map(Number);
  return `${d} ${m} ${y}`;
}

// ---------- correcting a PA's record ----------
export async function changePa(ctx) {
  const id = await employerId();
  const pa = await api.get(`/employers/${id}/pas/${encodeURIComponent(ctx.params.pa_id)}`);
  const here = `/pas/${pa.pa_id}`;
  if (pa.status === 'archived') return ctx.navigate(here, { replace: true });
  const form = h('form', { novalidate: true },
    fieldset('Personal details', [
      input({ id: 'pa_name', label: 'Full name', value: pa.pa_name, spellcheck: false }),
      input({ id: 'phone', label: 'Phone number', type: 'tel', width: 20, value: pa.phone || '' }),
      textarea({ id: 'address', label: 'Address', rows: 3 }),
      dateInput('date_of_birth', 'Date of birth', { value: pa.date_of_birth, hint: 'For example 27 3 1990' }),
      input({ id: 'ni_number', label: 'National Insurance number', hint: 'Two letters, six numbers and one letter from A to D, like QQ 12 34 56 C.', width: 10, spellcheck: false, value: pa.ni_number, attrs: { autocapitalize: 'characters' } }),
    ], { hint: 'Their email address is their username: it cannot be changed here.' }),
    fieldset('Their job', [hoursFields({ hours: pa.irregular_hours ? 'irregular' : 'contracted', contracted_hours: pa.contracted_hours }),
      relationshipFields({ relationship: pa.relationship || undefined, provider_agreed: pa.provider_agreed })]),
    fieldset('Checks and opt-out', [
      input({ id: 'dbs_certificate_number', label: 'DBS certificate number', hint: 'The 12 digits on the certificate. Keep the certificate itself, not a copy, here.', inputmode: 'numeric', width: 20, spellcheck: false, value: pa.dbs_certificate_number || '' }),
      dateInput('dbs_issue_date', 'DBS issue date', { value: pa.dbs_issue_date }),
      radios({ name: 'dbs_level', legend: 'DBS check level', options: Object.entries(DBS_LEVELS), value: pa.dbs_level || undefined }),
      dateInput('right_to_work_checked', 'Right to work checked on', { value: pa.right_to_work_checked }),
      dateInput('opt_out_start', '48-hour opt-out signed on', { value: pa.opt_out_start, hint: 'Only if they signed an agreement to work more than 48 hours a week on average' }),
      dateInput('opt_out_cancelled', '48-hour opt-out cancelled on', { value: pa.opt_out_cancelled }),
    ]),
    fieldset('Emergency contact', [
      input({ id: 'emergency_contact_name', label: 'Name', value: pa.emergency_contact_name || '', spellcheck: false }),
      input({ id: 'emergency_contact_phone', label: 'Phone number', type: 'tel', width: 20, value: pa.emergency_contact_phone || '' }),
      input({ id: 'emergency_contact_relationship', label: 'Relationship to the PA', width: 20, value: pa.emergency_contact_relationship || '' }),
    ]),
    button('Save changes'));
  form.querySelector('#address').value = pa.address || '';
  ctx.show(`Correct ${pa.pa_name}’s record`, h('a', { class: 'govuk-back-link', href: here }, 'Back'),
    heading(`Correct ${pa.pa_name}’s record`), form);
  submitting(form, async (values) => {
    clearErrors(form);
    const errors = [];
    const body = { version: pa.version };
    const text = (name, required) => {
      const v = (values[name] || '').trim();
      if (required && !v) errors.push({ field: name, text: `Enter their ${LABELS[name].toLowerCase()}` });
      if (v !== (pa[name] || '')) body[name] = v || null;
    };
    text('pa_name', true); text('phone', true); text('address', true);
    for (const name of ['emergency_contact_name', 'emergency_contact_phone', 'emergency_contact_relationship', 'dbs_certificate_number']) text(name, false);
    for (const name of ['date_of_birth', 'dbs_issue_date', 'right_to_work_checked', 'opt_out_start', 'opt_out_cancelled']) {
      const v = readDate(values, name);
      if (v === null) errors.push({ field: name, text: `${LABELS[name]} must be a real date, like 27 3 2024` });
      else if (v !== (pa[name] || '')) {
        if (name === 'date_of_birth' && !v) errors.push({ field: name, text: 'Enter their date of birth' });
        body[name] = v || null;
      }
    }
    const ni = values.ni_number.replace(/\s+/g, '').toUpperCase();  // the API ignores spaces and stores it upper-case
    if (!ni) errors.push({ field: 'ni_number', text: 'Enter their National Insurance number' });
    else if (ni !== pa.ni_number) body.ni_number = ni;
    if ((values.dbs_level || null) !== (pa.dbs_level || null)) body.dbs_level = values.dbs_level || null;
    checkHours(values, errors);
    checkRelationship(values, errors);
    if (errors.length) return showErrors(form, errors);
    if (values.hours === 'irregular' && !pa.irregular_hours) body.irregular_hours = true;
    if (values.hours === 'contracted' && String(Number(values.contracted_hours)) !== String(Number(pa.contracted_hours))) body.contracted_hours = values.contracted_hours.trim();
    if (values.relationship !== pa.relationship) body.relationship = values.relationship;
    const agreed = values.relationship !== 'none' && values.provider_agreed === 'yes';
    if (values.relationship !== 'none' && agreed !== Boolean(pa.provider_agreed)) body.provider_agreed = agreed;
    try {
      const saved = await api.put(`/employers/${id}/pas/${pa.pa_id}`, body);
      ctx.navigate(here, { message: { title: `${saved.pa_name}’s record saved` } });
    } catch (error) {
      if (error.code === 'ni_number_taken') return showErrors(form, [{ field: 'ni_number', text: 'Another of your PAs has this National Insurance number. Check the number on their payslip, P60 or letters about tax.' }]);
      if (error.status === 409) return showErrors(form, [{ field: null, text: 'Someone changed this record since you opened it, so your changes have not been saved. Go back to the PA’s page to see the record as it is now, then make your changes again.' }]);
      const field = { provider_agreement_needed: 'provider_agreed', invalid_date_of_birth: 'date_of_birth', name_needed: 'pa_name', invalid_ni_number: 'ni_number' }[error.code];
      showErrors(form, field ? [{ field, text: error.message }] : problemsOf(error, LABELS));
    }
  });
}

// ---------- archive: the leaving date, then check answers ----------
const archiveDraft = () => { try { return JSON.parse(sessionStorage.getItem(ARCHIVE_DRAFT)) || {}; } catch { return {}; } };

export async function archiveDate(ctx) {
  const id = await employerId();
  const pa = await api.get(`/employers/${id}/pas/${encodeURIComponent(ctx.params.pa_id)}`);
  const here = `/pas/${pa.pa_id}`;
  if (pa.status === 'archived') return ctx.navigate(here, { replace: true });
  const draft = archiveDraft();
  const form = h('form', { novalidate: true },
    h('span', { class: 'govuk-caption-l' }, `Archive ${pa.pa_name}`),
    dateInput('leaving_date', `What was ${pa.pa_name}’s last day working for you?`, { asHeading: true,
      hint: `Today or earlier, and not before they started (${formatDate(pa.start_date)}). For example ${sampleDate()}`,
      value: draft.pa_id === pa.pa_id ? draft.leaving_date : undefined }),
    button('Continue'));
  ctx.show(`${pa.pa_name}’s leaving date`, h('a', { class: 'govuk-back-link', href: here }, 'Back'), form);
  submitting(form, (values) => {
    const leaving = readDate(values, 'leaving_date');
    if (!leaving) return showErrors(form, [{ field: 'leaving_date', text: leaving === '' ? 'Enter their leaving date' : `Leaving date must be a real date, like ${sampleDate()}` }]);
    if (leaving > todayIso()) return showErrors(form, [{ field: 'leaving_date', text: 'Leaving date must be today or in the past: archiving takes their access away at once. Come back on or after their last day.' }]);
    if (leaving < pa.start_date) return showErrors(form, [{ field: 'leaving_date', text: `Leaving date must be on or after their start date, ${formatDate(pa.start_date)}` }]);
    sessionStorage.setItem(ARCHIVE_DRAFT, JSON.stringify({ pa_id: pa.pa_id, leaving_date: leaving }));
    ctx.navigate(`${here}/archive/check`);
  });
}

export async function archiveCheck(ctx) {
  const id = await employerId();
  const pa = await api.get(`/employers/${id}/pas/${encodeURIComponent(ctx.params.pa_id)}`);
  const here = `/pas/${pa.pa_id}`;
  const draft = archiveDraft();
  if (pa.status === 'archived') return ctx.navigate(here, { replace: true });
  if (draft.pa_id !== pa.pa_id || !draft.leaving_date) return ctx.navigate(`${here}/archive`, { replace: true });
  const until = formatDate(retentionDate(draft.leaving_date));
  const form = h('form', { novalidate: true }, button(`Archive ${pa.pa_name}`, { class: 'govuk-button govuk-button--warning' }));
  const title = `Check before you archive ${pa.pa_name}`;
  ctx.show(title, h('a', { class: 'govuk-back-link', href: `${here}/archive` }, 'Back'),
    heading(title),
    summaryList([
      ['PA', pa.pa_name],
      ['Leaving date', formatDate(draft.leaving_date), change(`${here}/archive`, 'leaving date')],
    ]),
    h('h2', { class: 'govuk-heading-m' }, 'What happens at once'),
    h('ul', { class: 'govuk-list govuk-list--bullet' },
      h('li', {}, `${pa.pa_name} can no longer see anything of yours.`),
      h('li', {}, 'If they work for nobody else through Care Tracker, their login is turned off, they are signed out everywhere, and their feedback and suggestions show “a former user” instead of their name.'),
      h('li', {}, `Shifts planned for them after ${formatDate(draft.leaving_date)} are taken off the rota.`)),
    h('h2', { class: 'govuk-heading-m' }, 'What is deleted'),
    p('These personal details are deleted:'),
    h('ul', { class: 'govuk-list govuk-list--bullet', id: 'deleted' },
      ['phone number', 'address', 'date of birth', 'emergency contact (name, phone number and relationship)',
        'DBS check (certificate number, issue date and level)', 'the date their right to work was checked',
        'whether they are a family member or friend, and the care package provider’s agreement'].map((x) => h('li', {}, x))),
    p('Deleted details stay in the daily backups until those expire, after 35 days.'),
    h('h2', { class: 'govuk-heading-m' }, `What is kept until ${until}`),
    p('You must be able to show when they worked for you, so for 7 years after their leaving date we keep:'),
    h('ul', { class: 'govuk-list govuk-list--bullet', id: 'kept' },
      ['their full name', 'their email address (their username)', 'their National Insurance number',
        'their start and leaving dates, and their contracted hours', 'their shifts up to their leaving date', 'their timesheets, with every version', 'their holiday record',
        'the dates of any 48-hour opt-out'].map((x) => h('li', {}, x))),
    p(`On ${until} all of it is deleted automatically.`),
    h('h2', { class: 'govuk-heading-m' }, 'If they come back'),
    p('You can reactivate them from the list of PAs who have left. They fill in their details again.'),
    form,
    p(link(here, 'Cancel: keep them as a current PA')));
  submitting(form, async () => {
    try {
      const done = await api.post(`/employers/${id}/pas/${pa.pa_id}/archive`, { leaving_date: draft.leaving_date });
      sessionStorage.removeItem(ARCHIVE_DRAFT);
      ctx.navigate(`/pas/${done.pa_id}`, { message: { title: `${done.pa_name} archived`,
        text: `Their personal details have been deleted. Their name, username, National Insurance number and work history are kept until ${formatDate(done.retained_until)}.` } });
    } catch (error) {
      showErrors(form, [{ field: null, text: error.message }]);
    }
  });
}
