// Journey 3, "This month" for a provider user: the window, a task list of what is owed, one return
// form per care type (RULES 1.5, grouped as the official form groups them), nil return, "no change"
// through a check-answers page, the save history, and stale saves explained.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, table, tag, inset, formatDate, formatDateTime, monthName } from '../dom.js';
import { input, radios, fieldset, submitting, showErrors, clearErrors } from '../forms.js';

export const CARE_TYPE_NAMES = { care_home: 'Care home', home_care: 'Home care', supported_living: 'Supported living' };

const CARE_HOME = [
  ['Beds', 'Occupied beds plus vacant beds (reserved and accepting) cannot be more than the maximum capacity.', [
    ['beds_max_capacity', 'Maximum bed capacity', 'Every bed you could use today, occupied or not'],
    ['beds_occupied', 'Beds occupied', 'Include people in hospital who are coming back to you'],
    ['beds_vacant_reserved', 'Vacant beds that are reserved', 'Empty, but held for someone who is about to move in'],
    ['beds_vacant_accepting', 'Vacant beds accepting admissions', 'Empty beds someone could move into now'],
  ]],
  ['Staff you employ directly', 'Headcount: count people, not hours or full-time equivalents.', [
    ['staff_nurses_direct', 'Registered nurses', null],
    ['staff_care_direct', 'Care-providing staff', 'Care workers, senior carers and others who give care'],
    ['staff_non_care_direct', 'Non-care-providing staff', 'For example kitchen, cleaning, maintenance and office staff'],
  ]],
  ['Agency or bank staff', 'Headcount of agency or bank staff working for you now.', [
    ['staff_nurses_agency', 'Agency or bank registered nurses', null],
    ['staff_care_agency', 'Agency or bank care-providing staff', null],
    ['staff_non_care_agency', 'Agency or bank non-care-providing staff', null],
  ]],
  ['Absence', null, [
    ['staff_absent', 'Staff absent', 'Staff who should be working but are off today, for example through sickness (headcount)'],
  ]],
];
const HOME_CARE = [
  ['People and hours', null, [
    ['people_receiving_care', 'People receiving care', 'Everyone you provide care to at the moment'],
    ['hours_delivered_last_week', 'Hours of care delivered in the last week', 'Whole hours over the last 7 days'],
  ]],
  ['Staff', 'Headcount: count people, not hours or full-time equivalents.', [
    ['staff_direct', 'Staff you employ directly', null],
    ['staff_agency', 'Agency staff', null],
    ['staff_absent', 'Staff absent', 'Staff who should be working but are off today, for example through sickness'],
  ]],
];
export const GROUPS = { care_home: CARE_HOME, home_care: HOME_CARE, supported_living: HOME_CARE };
const NEW_PACKAGES = ['accepting_new_packages', 'Can you accept new packages of care?'];

export function labels(careType) {
  const out = {};
  for (const [, , fields] of GROUPS[careType]) for (const [name, label] of fields) out[name] = label;
  if (careType !== 'care_home') out[NEW_PACKAGES[0]] = 'Whether you can accept new packages of care';
  return out;
}

// An API problem in words for its field: "Enter ..." for a missing one, else "<label> <problem>".
export function fieldErrors(error, names) {
  const problems = Array.isArray(error.details && error.details.problems) ? error.details.problems : [];
  const found = problems.filter((pr) => pr && pr.field).map((pr) => {
    const field = String(pr.field).split('.').pop();
    const label = names[field];
    if (!label) return { field: null, text: `${pr.field} ${pr.problem}` };
    if (pr.problem === 'is required') return { field, text: field === NEW_PACKAGES[0] ? 'Select whether you can accept new packages of care' : `Enter ${label.charAt(0).toLowerCase()}${label.slice(1)}` };
    return { field, text: `${label}: ${pr.problem}` };
  });
  return found.length ? found : [{ field: null, text: error.message }];
}

export function figuresFrom(values, careType) {
  const body = {};
  for (const name of Object.keys(labels(careType))) {
    const raw = (values[name] || '').trim();
    if (raw === '') continue;
    if (name === NEW_PACKAGES[0]) body[name] = raw === 'yes';
    else body[name] = /^\d+$/.test(raw) ? Number(raw) : raw;  // anything else: the API says what is wrong
  }
  return body;
}

function daysLeft(window) {
  const now = Date.now();
  const opens = Date.parse(window.opens_at);
  const closes = Date.parse(window.closes_at);
  if (now < opens) return { state: 'not_open', text: `The window opens on ${formatDate(window.opens_at)}.` };
  if (now >= closes) return { state: 'closed', text: 'The window has closed.' };
  const days = Math.ceil((closes - now) / 86400000);
  return { state: 'open', text: days === 1 ? 'This is the last day.' : `${days} days left, including today.` };
}

function status(ct) {
  if (ct.done) return ['Done', null];
  if (ct.saved) return ['Saved outside the window', 'yellow'];
  return ['Not started', 'blue'];
}

export async function thisMonth(ctx) {
  const owed = await api.get('/returns/owed');
  const { window } = owed;
  const left = daysLeft(window);
  const month = monthName(window.period);
  const items = owed.locations.flatMap((loc) => (loc.owes ? loc.care_types : []).map((ct) => ({ loc, ct })));
  const nothing = owed.locations.filter((loc) => !loc.owes);
  const list = h('ul', { class: 'govuk-task-list' }, items.map(({ loc, ct }, i) => {
    const [text, colour] = status(ct);
    const statusId = `task-${i}-status`;
    return h('li', { class: 'govuk-task-list__item govuk-task-list__item--with-link' },
      h('div', { class: 'govuk-task-list__name-and-hint' },
        h('a', { class: 'govuk-link govuk-task-list__link', href: `/returns/${loc.location_id}/${window.period}/${ct.care_type}`, 'aria-describedby': statusId },
          `${loc.name}: ${CARE_TYPE_NAMES[ct.care_type].toLowerCase()} return`)),
      h('div', { class: 'govuk-task-list__status', id: statusId }, colour ? tag(text, colour) : text));
  }));
  const done = items.filter(({ ct }) => ct.done).length;
  ctx.show(`Returns for ${month}`,
    heading(`Returns for ${month}`, 'l', 'This month'),
    summaryList([
      ['Window opens', formatDate(window.opens_at)],
      ['Last day', formatDate(window.last_day)],
      ['Time left', left.text],
    ]),
    left.state !== 'open' ? inset('You can still save returns outside the window, but only returns saved inside it count towards the month’s compliance.') : null,
    h('h2', { class: 'govuk-heading-m' }, 'What you owe'),
    items.length ? p(`You have made ${done} of ${items.length} returns inside the window.`) : p('None of your locations owes a return this month.'),
    owed.all_done && items.length ? inset('Every return is done for this month. You can still change them until the window closes.') : null,
    items.length ? list : null,
    nothing.length ? [h('h2', { class: 'govuk-heading-s' }, 'Owing nothing this month'),
      h('ul', { class: 'govuk-list govuk-list--bullet' }, nothing.map((loc) => h('li', {}, `${loc.name} (not active for the whole window)`)))] : null,
    items.length ? [h('h2', { class: 'govuk-heading-m' }, 'Who saved what'),
      h('ul', { class: 'govuk-list' }, owed.locations.filter((loc) => loc.owes).map((loc) => h('li', {},
        link(`/returns/${loc.location_id}/${window.period}`, `Save history of ${loc.name}`)))) ] : null);
}

function savedLine(saved) {
  if (!saved) return null;
  const what = saved.nil_return ? 'a nil return' : saved.no_change ? 'no change since last month' : 'figures';
  return `Last saved as ${what} by ${saved.saved_by.name || 'someone in your organisation'} on ${formatDateTime(saved.saved_at)}${saved.in_window ? '' : ' (outside the window)'}.`;
}

function savedMessage(saved, careType, locationName, period) {
  return {
    title: `${CARE_TYPE_NAMES[careType]} return for ${locationName} saved`,
    text: saved.in_window ? `It counts towards ${monthName(period)}.` : `It was saved outside the window for ${monthName(period)}, so it does not count towards that month’s compliance.`,
  };
}

function staleErrors(form, here) {
  const summary = showErrors(form, [{ field: null, text: 'Someone else changed this return since you opened it, so your changes have not been saved.' }]);
  summary.querySelector('.govuk-error-summary__body').append(
    p('Reload the return to see their changes, then make yours again.'),
    h('a', { class: 'govuk-button govuk-button--secondary', href: here, role: 'button', 'data-module': 'govuk-button' }, 'Reload the return'));
}

function checkedCareType(ctx, month) {
  const careType = ctx.params.care_type;
  if (!month.care_types.includes(careType)) {
    ctx.show('Page not found', heading('Page not found'), p(`${month.location_name} does not provide ${CARE_TYPE_NAMES[careType] || careType}.`), p(link('/this-month', 'Back to this month')));
    return null;
  }
  return careType;
}

export async function returnForm(ctx) {
  const { location, period } = ctx.params;
  const month = await api.get(`/locations/${encodeURIComponent(location)}/returns/${encodeURIComponent(period)}`);
  const careType = checkedCareType(ctx, month);
  if (!careType) return;
  const current = month.current[careType];
  let figures = (current && current.figures) || {};
  let fromLast = false;
  if (!current && ctx.query.get('from') === 'last-month') {  // "Change" on the check-answers page: start from last month's figures
    const last = await api.get(`/locations/${encodeURIComponent(location)}/returns/${previousPeriod(period)}`).catch(() => null);
    const previous = last && last.current[careType];
    if (previous && previous.figures) { figures = previous.figures; fromLast = true; }
  }
  const here = `/returns/${location}/${period}/${careType}`;
  const names = labels(careType);
  const groups = GROUPS[careType].map(([legend, hint, fields]) => fieldset(legend, fields.map(([name, label, fieldHint]) => input({
    id: name, label, hint: fieldHint, inputmode: 'numeric', width: 4, spellcheck: false, value: figures[name] === undefined ? '' : String(figures[name]),
  })), { hint }));
  if (careType !== 'care_home') {
    const value = figures[NEW_PACKAGES[0]] === undefined ? undefined : (figures[NEW_PACKAGES[0]] ? 'yes' : 'no');
    groups.push(radios({ name: NEW_PACKAGES[0], legend: NEW_PACKAGES[1], legendClass: 'govuk-fieldset__legend--m', options: [['yes', 'Yes'], ['no', 'No']], value, inline: true }));
  }
  const form = h('form', { novalidate: true }, groups, button('Save return'));
  const nil = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Supporting nobody at the moment?'),
    p('Make a nil return: it counts as this month’s return.'),
    secondary('Make a nil return'));
  const title = `${CARE_TYPE_NAMES[careType]} return for ${monthName(period)}`;
  ctx.show(title,
    h('a', { class: 'govuk-back-link', href: '/this-month' }, 'Back to this month'),
    heading(title, 'l', month.location_name),
    current ? p(savedLine(current), ' ', link(`/returns/${location}/${period}`, 'See the save history')) : p('Nobody has saved this return yet.'),
    fromLast ? inset(`The figures below are ${monthName(previousPeriod(period))}’s. Change what is different, then save.`) : null,
    h('h2', { class: 'govuk-heading-m' }, 'Nothing has changed since last month?'),
    p(link(`${here}/no-change`, 'Check last month’s figures and confirm nothing has changed')),
    form, nil);
  const version = current ? current.version : undefined;
  const save = async (body, which) => {
    clearErrors(form);
    try {
      const saved = await api.put(`/locations/${encodeURIComponent(location)}/returns/${encodeURIComponent(period)}/${careType}`, { ...body, ...(version ? { version } : {}) });
      ctx.navigate('/this-month', { message: savedMessage(saved, careType, month.location_name, period) });
    } catch (error) {
      if (error.code === 'stale_version' || error.code === 'version_required') return staleErrors(which, here);
      showErrors(which, fieldErrors(error, names));
    }
  };
  submitting(form, (values) => save(figuresFrom(values, careType), form));
  submitting(nil, () => save({ nil_return: true }, nil));
}

function previousPeriod(period) {
  const [y, m] = period.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export async function noChange(ctx) {
  const { location, period } = ctx.params;
  const path = `/locations/${encodeURIComponent(location)}/returns/`;
  const [month, last] = await Promise.all([api.get(path + encodeURIComponent(period)), api.get(path + previousPeriod(period)).catch(() => null)]);
  const careType = checkedCareType(ctx, month);
  if (!careType) return;
  const back = `/returns/${location}/${period}/${careType}`;
  const previous = last && last.current[careType];
  const current = month.current[careType];
  const title = 'Check last month’s figures';
  if (!previous) {
    return ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back'), heading(title, 'l', month.location_name),
      p(`There is no ${CARE_TYPE_NAMES[careType].toLowerCase()} return for ${monthName(previousPeriod(period))} to show.`),
      p('If an earlier month has a return, confirming copies the latest one. Otherwise enter this month’s figures.'),
      confirmForm(), p(link(back, 'Enter this month’s figures instead')));
  }
  const names = labels(careType);
  const rows = previous.nil_return ? [['Return', 'Nil return: supporting nobody']]
    : Object.entries(names).filter(([name]) => previous.figures && name in previous.figures).map(([name, label]) => {
      const value = previous.figures[name];
      return [label, typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value), link(`${back}?from=last-month#${name}`, h('span', {}, 'Change', h('span', { class: 'govuk-visually-hidden' }, ` ${label.toLowerCase()}`)))];
    });
  const form = confirmForm();
  ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back'),
    heading(title, 'l', `${month.location_name}: ${CARE_TYPE_NAMES[careType].toLowerCase()}`),
    p(`These are the figures saved for ${monthName(previousPeriod(period))} by ${previous.saved_by.name || 'someone in your organisation'} on ${formatDateTime(previous.saved_at)}.`),
    summaryList(rows),
    h('h2', { class: 'govuk-heading-m' }, 'Now confirm'),
    p(`Confirming saves the same figures as ${monthName(period)}’s return.`),
    form);

  function confirmForm() {
    const f = h('form', { novalidate: true }, button('Confirm nothing has changed'));
    submitting(f, async () => {
      try {
        const saved = await api.put(`${path}${encodeURIComponent(period)}/${careType}`, { no_change: true, ...(current ? { version: current.version } : {}) });
        ctx.navigate('/this-month', { message: savedMessage(saved, careType, month.location_name, period) });
      } catch (error) {
        if (error.code === 'stale_version' || error.code === 'version_required') return staleErrors(f, window.location.pathname);
        showErrors(f, [{ field: null, text: error.message }]);
      }
    });
    return f;
  }
}

export async function history(ctx) {
  const { location, period } = ctx.params;
  const month = await api.get(`/locations/${encodeURIComponent(location)}/returns/${encodeURIComponent(period)}`);
  const title = `Save history for ${monthName(period)}`;
  const kind = (s) => (s.nil_return ? 'Nil return' : s.no_change ? 'No change (copied)' : 'Figures');
  ctx.show(title, h('a', { class: 'govuk-back-link', href: '/this-month' }, 'Back to this month'),
    heading(title, 'l', month.location_name),
    month.history.length
      ? table(`Every save of ${month.location_name}'s returns for ${monthName(period)}`, ['Return', 'Saved', 'By', 'What', 'Inside the window'],
        [...month.history].reverse().map((s) => [CARE_TYPE_NAMES[s.care_type], formatDateTime(s.saved_at), s.saved_by.name || 'Unknown', kind(s), s.in_window ? 'Yes' : 'No']))
      : p('Nobody has saved a return for this month yet.'),
    h('ul', { class: 'govuk-list' }, month.care_types.map((ct) => h('li', {}, link(`/returns/${location}/${period}/${ct}`, `${CARE_TYPE_NAMES[ct]} return`)))));
}
