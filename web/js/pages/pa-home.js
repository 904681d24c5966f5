// Journey 7, the PA's home (mostly on a phone): each employment, this week's shifts, the timesheet
// that is due, and their own details to correct. A reactivated PA whose details were deleted when
// they left (RULES 2.5) is led to fill them in before anything else.
import * as api from '../api.js';
import { h, heading, p, link, button, summaryList, tag, inset, formatDate } from '../dom.js';
import { input, textarea, fieldset, dateInput, readDate, submitting, showErrors } from '../forms.js';

// Today in London, as pas.js has it (that module is loaded only for the details form: a PA's phone
// fetches less on the home page).
function todayIso() {
  const x = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date()).map((part) => [part.type, part.value]));
  return `${x.year}-${x.month}-${x.day}`;
}

const KINDS = { day: 'Day shift', waking_night: 'Waking night', sleep_in: 'Sleep-in' };
const TIMESHEET_WORDS = {
  draft: ['To fill in and submit', 'blue'], returned: ['Sent back to you', 'red'], submitted: ['Waiting for approval', 'yellow'], approved: ['Approved', 'green'],
};

function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function weekOf(iso) {
  const weekday = (new Date(`${iso}T12:00:00Z`).getUTCDay() + 6) % 7;  // Monday 0
  return addDays(iso, -weekday);
}

const employerName = (e) => e.employer_name || 'Your employer';

// The pay period that ended most recently (its timesheet is due) and the one running now, from the
// employment's holiday ledger, which lists the leave year's pay periods; null without a pay cycle.
async function timesheetDue(me, employment, today) {
  const base = `/employers/${encodeURIComponent(employment.employer_id)}/pas/${encodeURIComponent(me.user_id)}`;
  let periods;
  try {
    periods = (await api.get(`${base}/holiday`)).periods;
    const first = periods[0];
    if (first && first.period_start > addDays(today, -1)) {  // the period before may be last leave year's
      const earlier = await api.get(`${base}/holiday${api.q({ leave_year_start: addDays(first.period_start, -1) })}`).catch(() => null);
      if (earlier) periods = [...earlier.periods, ...periods];
    }
  } catch (error) {
    if (error.status === 401) throw error;
    return null;
  }
  const ended = periods.filter((x) => x.period_end < today && x.period_start >= employment.start_date);
  const current = periods.find((x) => x.period_start <= today && today <= x.period_end) || null;
  const last = ended[ended.length - 1] || null;
  // Only the ended period's status is shown; the running one is a link.
  const due = last ? { ...last, timesheet: await api.get(`${base}/timesheets/${last.period_start}`).catch(() => null) } : null;
  return { due, now: current };
}

function timesheetBlock(employment, found) {
  if (!found) return p(`${employerName(employment)} has not set up pay periods yet, so there is no timesheet to fill in.`);
  const open = (period) => `/pa/timesheets/${employment.employer_id}/${period.period_start}`;
  const range = (period) => `${formatDate(period.period_start)} to ${formatDate(period.period_end)}`;
  const rows = [];
  const { due, now } = found;
  const dueStatus = due && due.timesheet ? due.timesheet.status : null;
  if (due && dueStatus !== 'approved') {
    const [words, colour] = TIMESHEET_WORDS[dueStatus] || ['To fill in and submit', 'blue'];
    rows.push(h('li', { class: 'govuk-task-list__item govuk-task-list__item--with-link' },
      h('div', { class: 'govuk-task-list__name-and-hint' },
        h('a', { class: 'govuk-link govuk-task-list__link', href: open(due), 'aria-describedby': `due-${employment.employer_id}` }, `Timesheet for ${range(due)}`),
        h('div', { class: 'govuk-task-list__hint' }, dueStatus === 'submitted' ? 'You have submitted it.' : 'This period has ended: check your hours and submit it.')),
      h('div', { class: 'govuk-task-list__status', id: `due-${employment.employer_id}` }, tag(words, colour))));
  }
  if (now) {
    rows.push(h('li', { class: 'govuk-task-list__item govuk-task-list__item--with-link' },
      h('div', { class: 'govuk-task-list__name-and-hint' },
        h('a', { class: 'govuk-link govuk-task-list__link', href: open(now), 'aria-describedby': `now-${employment.employer_id}` }, `Timesheet for ${range(now)}`),
        h('div', { class: 'govuk-task-list__hint' }, `The period you are in now. Submit it after ${formatDate(now.period_end)}.`)),
      h('div', { class: 'govuk-task-list__status', id: `now-${employment.employer_id}` }, 'In progress')));
  }
  const approved = due && dueStatus === 'approved';
  return [approved ? p(`Your timesheet for ${range(due)} has been approved.`) : null,
    rows.length ? h('ul', { class: 'govuk-task-list' }, rows) : null,
    p(link('/pa/timesheets', 'All your timesheets'))];
}

function shiftLine(shift, employments) {
  const e = employments.find((x) => x.employer_id === shift.employer_id);
  const next = shift.end <= shift.start ? ' (ends the next day)' : '';
  return h('li', {}, h('strong', {}, `${shift.start} to ${shift.end}`), next, ` · ${KINDS[shift.kind] || shift.kind}`,
    employments.length > 1 && e ? ` for ${employerName(e)}` : '',
    shift.breaks.length ? `, break ${shift.breaks.map((b) => `${b.start} to ${b.end}`).join(' and ')}` : '');
}

export async function home(ctx) {
  const me = await api.me();
  const mine = await api.get('/me/employments');
  if (mine.details_missing.length) {
    return ctx.navigate(`/pa/details/${encodeURIComponent(mine.details_missing[0])}`, { replace: true });
  }
  const today = todayIso();
  const asked = ctx.query.get('week');
  const thisWeek = weekOf(today);
  const monday = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) && !Number.isNaN(Date.parse(asked)) ? weekOf(asked) : thisWeek;
  const sunday = addDays(monday, 6);
  const { employments } = mine;
  let rotaError = null;  // the rest of the page still helps when the shifts cannot be read
  const [rota, ...sheets] = await Promise.all([
    employments.length ? api.get(`/pa/rota${api.q({ from: monday, to: sunday })}`).catch((error) => {
      if (error.status === 401) throw error;
      rotaError = error;
      return null;
    }) : null,
    ...employments.map((e) => timesheetDue(me, e, today))]);
  const days = rota ? rota.days.filter((d) => d.shifts.length) : [];
  const warnings = rota ? rota.warnings.filter((w) => w.last_day >= monday) : [];
  ctx.show('My work', heading('My work', 'l', me.full_name || me.email),
    !employments.length ? p('You do not work for anyone through Care Tracker at the moment.') : null,
    employments.length ? [
      h('h2', { class: 'govuk-heading-m' }, monday === thisWeek ? 'This week’s shifts' : 'Shifts that week'),
      p(`Monday ${formatDate(monday).replace(/^\w+ /, '')} to Sunday ${formatDate(sunday).replace(/^\w+ /, '')}`),
      rotaError ? p(`Your shifts cannot be shown just now (${rotaError.message}) `, link(ctx.query.toString() ? `/pa?${ctx.query}` : '/pa', 'Try again')) : null,
      rotaError ? null : days.length ? days.map((d) => [
        h('h3', { class: 'govuk-heading-s govuk-!-margin-bottom-1' }, d.day === today ? `Today, ${formatDate(d.day)}` : formatDate(d.day)),
        h('ul', { class: 'govuk-list' }, d.shifts.map((s) => shiftLine(s, employments))),
      ]) : p(monday === thisWeek ? 'You have no shifts planned this week.' : 'You have no shifts planned that week.'),
      warnings.length ? inset(h('h3', { class: 'govuk-heading-s' }, 'Working-time warnings'), h('ul', { class: 'govuk-list govuk-list--bullet' }, warnings.map((w) => h('li', {}, w.message)))) : null,
      h('ul', { class: 'govuk-list' },
        h('li', {}, link(`/pa${api.q({ week: addDays(monday, 7) })}`, 'The week after')),
        h('li', {}, link(`/pa${api.q({ week: addDays(monday, -7) })}`, 'The week before')),
        monday === thisWeek ? null : h('li', {}, link('/pa', 'Back to this week'))),
    ] : null,
    employments.map((e, i) => h('section', { 'aria-labelledby': `employment-${i}` },
      h('h2', { class: 'govuk-heading-m', id: `employment-${i}` }, employerName(e)),
      summaryList([
        ['Started', formatDate(e.start_date)],
        ['Hours', e.irregular_hours ? 'Irregular hours' : `${e.contracted_hours} hours a week`],
      ]),
      h('h3', { class: 'govuk-heading-s' }, 'Timesheets'),
      timesheetBlock(e, sheets[i]),
      h('h3', { class: 'govuk-heading-s' }, 'Your details'),
      p(link(`/pa/details/${e.employer_id}`, `Check or correct the details ${employerName(e)} has for you`)))),
    employments.length ? p(link('/pa/holiday', 'Your holiday')) : null);
}

export async function details(ctx) {
  const [mine, { problemsOf }] = await Promise.all([api.get('/me/employments'), import('./pas.js')]);
  const e = mine.employments.find((x) => x.employer_id === ctx.params.employer_id);
  if (!e) {
    return ctx.show('Page not found', heading('Page not found'), p('You do not work for this employer, or no longer do.'), p(link('/pa', 'Back to my work')));
  }
  const d = e.my_details;
  const missing = e.details_missing;
  const form = h('form', { novalidate: true },
    fieldset('Your details', [
      input({ id: 'phone', label: 'Phone number', type: 'tel', autocomplete: 'tel', width: 20, value: d.phone || '' }),
      textarea({ id: 'address', label: 'Address', hint: 'Your home address, with the postcode', rows: 3 }),
      missing ? dateInput('date_of_birth', 'Date of birth', { hint: 'For example 27 3 1990' }) : null,
    ]),
    fieldset('Emergency contact (optional)', [
      input({ id: 'emergency_contact_name', label: 'Name', autocomplete: 'off', spellcheck: false, value: d.emergency_contact_name || '' }),
      input({ id: 'emergency_contact_phone', label: 'Phone number', type: 'tel', autocomplete: 'off', width: 20, value: d.emergency_contact_phone || '' }),
      input({ id: 'emergency_contact_relationship', label: 'Relationship to you', hint: 'For example partner or parent', width: 20, value: d.emergency_contact_relationship || '' }),
    ]),
    button(missing ? 'Save and continue' : 'Save changes'));
  form.querySelector('#address').value = d.address || '';
  const title = missing ? 'Fill in your details' : 'Your details';
  ctx.show(title, missing ? null : h('a', { class: 'govuk-back-link', href: '/pa' }, 'Back to my work'),
    heading(title, 'l', employerName(e)),
    missing ? inset(`${employerName(e)} has taken you back. Your personal details were deleted when you left, so fill them in again before anything else.`) : null,
    summaryList([
      ['Name', d.pa_name || 'Not recorded'],
      ['Email address (username)', d.email || 'Not recorded'],
      ['National Insurance number', d.ni_number || 'Not recorded'],
      missing ? null : ['Date of birth', d.date_of_birth ? formatDate(d.date_of_birth) : 'Not recorded'],
    ].filter(Boolean)),
    p(`To correct your name, date of birth or National Insurance number, ask ${employerName(e)}.`),
    form);
  submitting(form, async (values) => {
    const errors = [];
    const body = {};
    if (!values.phone.trim()) errors.push({ field: 'phone', text: 'Enter your phone number' }); else body.phone = values.phone.trim();
    if (!values.address.trim()) errors.push({ field: 'address', text: 'Enter your address' }); else body.address = values.address.trim();
    if (missing) {
      const dob = readDate(values, 'date_of_birth');
      if (!dob) errors.push({ field: 'date_of_birth', text: dob === '' ? 'Enter your date of birth' : 'Date of birth must be a real date, like 27 3 1990' });
      else body.date_of_birth = dob;
    }
    for (const name of ['emergency_contact_name', 'emergency_contact_phone', 'emergency_contact_relationship']) {
      if (values[name].trim()) body[name] = values[name].trim();
    }
    if (errors.length) return showErrors(form, errors);
    try {
      await api.put(`/me/employments/${encodeURIComponent(e.employer_id)}/details`, body);
      ctx.navigate('/pa', { message: { title: 'Your details have been saved', text: missing ? `You can now see your work for ${employerName(e)}.` : null } });
    } catch (error) {
      const field = { invalid_date_of_birth: 'date_of_birth' }[error.code];
      showErrors(form, field ? [{ field, text: error.message }] : problemsOf(error, {
        phone: 'Phone number', address: 'Address', date_of_birth: 'Date of birth', emergency_contact_name: 'Emergency contact’s name',
        emergency_contact_phone: 'Emergency contact’s phone number', emergency_contact_relationship: 'Emergency contact’s relationship' }));
    }
  });
}
