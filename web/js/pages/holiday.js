// Journey 5 (RULES 2.4): holiday. The employer decides on the bookings waiting and reads each PA's
// ledger per leave year; a PA reads their ledger for each employment and asks for holiday.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, table, tag, inset, formatDate } from '../dom.js';
import { input, textarea, dateInput, readDate, submitting, showErrors, apiErrors } from '../forms.js';

const STATUS = { requested: ['Waiting for a decision', 'yellow'], approved: ['Approved', 'green'], declined: ['Declined', 'red'], cancelled: ['Cancelled', 'grey'] };
const KIND = { accrued: 'Built up from hours worked', taken: 'Holiday taken', brought_forward: 'Brought forward', cancelled: 'Holiday given back', carried_forward: 'Carried forward' };

const hoursText = (shown) => `${shown} hours`;
const statusTag = (status) => tag(...(STATUS[status] || [status, 'grey']));
const days = (b) => (b.first_day === b.last_day ? formatDate(b.first_day) : `${formatDate(b.first_day)} to ${formatDate(b.last_day)}`);
const shown = (hours) => Number(hours).toFixed(2);
const ledgerPath = (employerId, paId) => `/employers/${encodeURIComponent(employerId)}/pas/${encodeURIComponent(paId)}/holiday`;

// Approved holiday from tomorrow on: the ledger counts holiday as taken on its day.
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
const comingUp = (ledger) => ledger.bookings.filter((b) => b.status === 'approved' && b.first_day > today())
  .reduce((sum, b) => sum + Number(b.hours), 0);

const addYear = (iso, n) => `${Number(iso.slice(0, 4)) + n}${iso.slice(4)}`;

function totals(ledger) {
  return summaryList([
    ['Leave year', `${formatDate(ledger.leave_year_start)} to ${formatDate(ledger.leave_year_end)}`],
    ['Brought forward', hoursText(ledger.brought_forward.shown)],
    ['Built up so far', hoursText(ledger.accrued.shown)],
    ['Taken so far', hoursText(ledger.taken.shown)],
    ['Left to take', h('strong', {}, hoursText(ledger.carried_forward.shown))],
    ['Approved and still to come', hoursText(shown(comingUp(ledger)))],
  ]);
}

function bookingsTable(ledger, caption, action = null) {
  if (!ledger.bookings.length) return p('No holiday booked in this leave year.');
  return table(caption, ['Days', 'Hours', 'Status', 'Note', ...(action ? ['Action'] : [])],
    ledger.bookings.map((b) => [days(b), shown(b.hours), statusTag(b.status), b.note || '', ...(action ? [action(b)] : [])]), { numeric: [1] });
}

// The PA cancels a request the employer has not decided yet (approved holiday: the employer cancels it).
function cancelRequest(ctx, ledger, booking) {
  if (booking.status !== 'requested') return '';
  const form = h('form', { novalidate: true },
    h('button', { type: 'submit', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'data-module': 'govuk-button' },
      'Cancel request', h('span', { class: 'govuk-visually-hidden' }, `, ${days(booking)}`)));
  submitting(form, async () => {
    try {
      await api.post(`${ledgerPath(ledger.employer_id, ledger.pa_id)}/bookings/${encodeURIComponent(booking.booking_id)}/cancel`,
        { version: booking.version, leave_year_start: booking.leave_year_start });
      ctx.navigate('/pa/holiday', { message: { title: 'Your holiday request is cancelled', text: `${days(booking)}.` } });
    } catch (error) {
      showErrors(form, [{ field: null, text: error.message }]);
    }
  });
  return form;
}

// The employer cancels approved holiday: its hours go back into the balance.
function cancelApproved(ctx, ledger, booking) {
  if (booking.status !== 'approved') return '';
  const form = h('form', { novalidate: true },
    h('button', { type: 'submit', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'data-module': 'govuk-button' },
      'Cancel holiday', h('span', { class: 'govuk-visually-hidden' }, `, ${days(booking)}`)));
  submitting(form, async () => {
    try {
      await api.post(`${ledgerPath(ledger.employer_id, ledger.pa_id)}/bookings/${encodeURIComponent(booking.booking_id)}/cancel`,
        { version: booking.version, leave_year_start: booking.leave_year_start });
      ctx.navigate(`/holiday/${encodeURIComponent(ledger.pa_id)}${api.q({ year: ledger.leave_year_start })}`, { message: {
        title: `${ledger.pa_name}'s holiday is cancelled`, text: `${days(booking)}: ${shown(booking.hours)} hours go back into the balance.` } });
    } catch (error) {
      showErrors(form, [{ field: null, text: error.message }]);
    }
  });
  return form;
}

function periodsTable(ledger) {
  return table('Pay period by pay period', ['Pay period', 'Brought forward', 'Built up', 'Taken', 'Left at the end'],
    ledger.periods.map((r) => [`${formatDate(r.period_start)} to ${formatDate(r.period_end)}`,
      shown(r.brought_forward), shown(r.accrued), shown(r.taken), shown(r.carried_forward)]), { numeric: [1, 2, 3, 4] });
}

async function currentPas(employerId) {
  const pas = [];
  let cursor = null;
  do {
    const answer = await api.get(`/employers/${encodeURIComponent(employerId)}/pas${api.q({ limit: 100, cursor })}`);
    pas.push(...answer.pas);
    cursor = answer.next_cursor;
  } while (cursor);
  return pas;
}

// The employer: the bookings waiting for a decision, and each PA's balance this leave year.
export async function employer(ctx) {
  const me = await api.me();
  const pas = await currentPas(me.user_id);
  const ledgers = await Promise.all(pas.map((pa) => api.get(ledgerPath(me.user_id, pa.pa_id)).catch((error) => ({ pa, error }))));
  const problem = ledgers.find((l) => l.error && l.error.code === 'no_pay_cycle');
  if (problem) {
    return ctx.show('Holiday', heading('Holiday'), p(problem.error.message),
      p(link('/settings', 'Set your pay cycle in your settings')));
  }
  const waiting = ledgers.filter((l) => !l.error).flatMap((l) => l.bookings.filter((b) => b.status === 'requested').map((b) => ({ ledger: l, booking: b })));
  const cards = waiting.map(({ ledger, booking }) => {
    const form = h('form', { novalidate: true }, h('div', { class: 'govuk-button-group' },
      button('Approve', { name: 'decision', value: 'approve', 'aria-label': `Approve ${ledger.pa_name}'s holiday, ${days(booking)}` }),
      secondary('Decline', { name: 'decision', value: 'decline', 'aria-label': `Decline ${ledger.pa_name}'s holiday, ${days(booking)}` })));
    submitting(form, async (values, submitter) => {
      const decision = submitter && submitter.value === 'decline' ? 'decline' : 'approve';
      try {
        const answer = await api.post(`${ledgerPath(me.user_id, ledger.pa_id)}/bookings/${encodeURIComponent(booking.booking_id)}/${decision}`,
          { version: booking.version, leave_year_start: booking.leave_year_start });
        ctx.navigate('/holiday', { message: { title: `${ledger.pa_name}'s holiday is ${decision === 'approve' ? 'approved' : 'declined'}`,
          text: answer.warning || `${days(booking)}, ${shown(booking.hours)} hours.` } });
      } catch (error) {
        showErrors(form, [{ field: null, text: error.message }]);
      }
    });
    return h('div', { class: 'govuk-summary-card' },
      h('div', { class: 'govuk-summary-card__title-wrapper' }, h('h3', { class: 'govuk-summary-card__title' }, ledger.pa_name)),
      h('div', { class: 'govuk-summary-card__content' },
        summaryList([['Days', days(booking)], ['Hours', shown(booking.hours)], ['Note', booking.note || 'None'],
          ['Left to take before this', hoursText(ledger.carried_forward.shown)]]),
        form));
  });
  // A card per PA rather than a table: it reads the same on a 320 px phone.
  const balances = ledgers.map((l, i) => h('div', { class: 'govuk-summary-card' },
    h('div', { class: 'govuk-summary-card__title-wrapper' }, h('h3', { class: 'govuk-summary-card__title' }, pas[i].pa_name),
      l.error ? null : h('ul', { class: 'govuk-summary-card__actions' }, h('li', { class: 'govuk-summary-card__action' },
        link(`/holiday/${encodeURIComponent(l.pa_id)}`, 'See the ledger', { 'aria-label': `See ${l.pa_name}'s holiday ledger` })))),
    h('div', { class: 'govuk-summary-card__content' }, l.error ? p(l.error.message) : summaryList([
      ['Built up so far', hoursText(l.accrued.shown)], ['Taken so far', hoursText(l.taken.shown)],
      ['Left to take', h('strong', {}, hoursText(l.carried_forward.shown))], ['Approved and still to come', hoursText(shown(comingUp(l)))]]))));
  ctx.show('Holiday', heading('Holiday'),
    h('h2', { class: 'govuk-heading-m' }, 'Waiting for your decision'),
    cards.length ? cards : p('No holiday is waiting for your decision.'),
    h('h2', { class: 'govuk-heading-m' }, 'Your PAs this leave year'),
    pas.length ? balances : p('You have no PAs yet. ', link('/pas/add', 'Add a PA'), '.'));
}

// One PA's ledger in one leave year (?year=YYYY-MM-DD, its first day), for the employer.
export async function ledger(ctx) {
  const me = await api.me();
  const year = ctx.query.get('year');
  const l = await api.get(ledgerPath(me.user_id, ctx.params.pa_id) + api.q({ leave_year_start: year }));
  const here = `/holiday/${encodeURIComponent(l.pa_id)}`;
  const thisYear = api.q({ year: l.leave_year_start });
  // Brought forward is recorded once a leave year: the link goes once it is.
  const recorded = l.periods.some((r) => r.entries.some((e) => e.kind === 'brought_forward'));
  ctx.show(`${l.pa_name}'s holiday`, h('a', { class: 'govuk-back-link', href: '/holiday' }, 'Back to holiday'),
    heading(`${l.pa_name}'s holiday`, 'l', `Leave year ${l.leave_year_start.slice(0, 4)} to ${l.leave_year_end.slice(0, 4)}`),
    totals(l),
    recorded ? null : p(link(`${here}/brought-forward${thisYear}`, 'Set the balance brought forward from the last leave year')),
    l.regime === 'irregular' ? inset('This PA works irregular hours: their holiday builds up at 12.07% of the hours they work.') : null,
    h('h2', { class: 'govuk-heading-m' }, 'Holiday booked'),
    p(h('a', { class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', role: 'button', draggable: 'false',
      href: `${here}/record${thisYear}` }, 'Record holiday taken')),
    bookingsTable(l, 'Bookings this leave year', (b) => cancelApproved(ctx, l, b)),
    h('h2', { class: 'govuk-heading-m' }, 'How it was worked out'), l.periods.length ? periodsTable(l) : p('No pay periods yet.'),
    h('nav', { 'aria-label': 'Leave years' }, h('ul', { class: 'govuk-list' },
      h('li', {}, link(`${here}?year=${addYear(l.leave_year_start, -1)}`, 'Previous leave year')),
      h('li', {}, link(`${here}?year=${addYear(l.leave_year_start, 1)}`, 'Next leave year')))));
}

// The PA: for each employment, what is left, the bookings and a link to ask for holiday.
export async function pa(ctx) {
  const me = await api.me();
  const { employments, details_missing: missing } = await api.get('/me/employments');
  if (missing.length) return ctx.navigate(`/pa/details/${encodeURIComponent(missing[0])}`, { replace: true });
  const active = employments.filter((e) => e.status === 'active');
  const sections = await Promise.all(active.map(async (e) => {
    const title = e.employer_name || 'Your employer';
    let l;
    try {
      // Employers' leave years may start on different days: ?year= is for the employer named in ?employer=.
      const year = ctx.query.get('employer') === e.employer_id ? ctx.query.get('year') : null;
      l = await api.get(ledgerPath(e.employer_id, me.user_id) + api.q({ leave_year_start: year }));
    } catch (error) {
      return [h('h2', { class: 'govuk-heading-m' }, title), p(error.message)];
    }
    return [h('h2', { class: 'govuk-heading-m' }, title), totals(l),
      p(h('a', { class: 'govuk-button', 'data-module': 'govuk-button', role: 'button', draggable: 'false',
        href: `/pa/holiday/${encodeURIComponent(e.employer_id)}/book` }, 'Ask for holiday', h('span', { class: 'govuk-visually-hidden' }, ` from ${title}`))),
      bookingsTable(l, `Holiday booked with ${title}`, (b) => cancelRequest(ctx, l, b)),
      h('nav', { 'aria-label': `Leave years with ${title}` }, h('ul', { class: 'govuk-list' },
        [[-1, 'Previous leave year'], [1, 'Next leave year']].map(([n, text]) => h('li', {},
          link(`/pa/holiday${api.q({ employer: e.employer_id, year: addYear(l.leave_year_start, n) })}`, text, { 'aria-label': `${text} with ${title}` })))))];
  }));
  ctx.show('My holiday', heading('My holiday'),
    ctx.query.get('year') ? p(link('/pa/holiday', 'Back to this leave year')) : null,
    active.length ? sections : p('You have no current employment, so there is no holiday to show.'));
}

function holidayFields(note) {
  return [
    dateInput('first', 'First day of holiday', { hint: 'For example, 27 3 2027' }),
    dateInput('last', 'Last day of holiday', { hint: 'The same as the first day for one day' }),
    input({ id: 'hours', label: 'How many hours of holiday?', hint: 'The hours that would have been worked on those days, for example 7.5', width: 4, inputmode: 'decimal', spellcheck: false }),
    textarea({ id: 'note', label: note, rows: 3 }),
  ];
}

// { first_day, last_day, hours, note } or null after showing the form's errors.
function holidayBody(form, values) {
  const first = readDate(values, 'first');
  const last = readDate(values, 'last');
  const hours = values.hours.trim();
  const errors = [];
  if (!first) errors.push({ field: 'first', text: 'Enter the first day as a real date, for example 27 3 2027' });
  if (!last) errors.push({ field: 'last', text: 'Enter the last day as a real date, for example 27 3 2027' });
  if (first && last && last < first) errors.push({ field: 'last', text: 'The last day must be the same as or after the first day' });
  if (!/^\d+(\.\d{1,2})?$/.test(hours) || Number(hours) <= 0) errors.push({ field: 'hours', text: 'Enter the hours as a number more than 0, for example 7.5' });
  if (errors.length) { showErrors(form, errors); return null; }
  return { first_day: first, last_day: last, hours, note: values.note.trim() || null };
}

const BOOKING_LABELS = { first_day: 'First day', last_day: 'Last day', hours: 'Hours', note: 'Note' };

// The employer records holiday a PA took without asking through the service: approved at once.
export async function record(ctx) {
  const me = await api.me();
  const l = await api.get(ledgerPath(me.user_id, ctx.params.pa_id) + api.q({ leave_year_start: ctx.query.get('year') }));
  const back = `/holiday/${encodeURIComponent(l.pa_id)}${api.q({ year: l.leave_year_start })}`;
  const form = h('form', { novalidate: true }, holidayFields('Note (optional)'),
    h('div', { class: 'govuk-button-group' }, button('Record holiday'), link(back, 'Cancel')));
  ctx.show('Record holiday taken', h('a', { class: 'govuk-back-link', href: back }, 'Back'),
    heading('Record holiday taken', 'l', l.pa_name),
    p(`For holiday ${l.pa_name} did not ask for through Care Tracker. It counts as approved and comes off their balance.`), form);
  submitting(form, async (values) => {
    const body = holidayBody(form, values);
    if (!body) return;
    try {
      const answer = await api.post(ledgerPath(me.user_id, l.pa_id) + '/bookings', body);
      const booking = answer.booking;
      ctx.navigate(`/holiday/${encodeURIComponent(l.pa_id)}${api.q({ year: booking.leave_year_start })}`, { message: {
        title: `Holiday recorded for ${l.pa_name}`, text: answer.warning || `${days(booking)}, ${shown(booking.hours)} hours, taken off ${l.pa_name}'s balance.` } });
    } catch (error) {
      showErrors(form, apiErrors(error, BOOKING_LABELS, 'first'));
    }
  });
}

// The employer records the hours carried into this leave year from the last one (once).
export async function broughtForward(ctx) {
  const me = await api.me();
  const l = await api.get(ledgerPath(me.user_id, ctx.params.pa_id) + api.q({ leave_year_start: ctx.query.get('year') }));
  const back = `/holiday/${encodeURIComponent(l.pa_id)}${api.q({ year: l.leave_year_start })}`;
  const years = `${formatDate(l.leave_year_start)} to ${formatDate(l.leave_year_end)}`;
  const form = h('form', { novalidate: true },
    input({ id: 'hours', label: 'Hours brought forward', hint: 'For example 15 or 7.5. You can record this once for each leave year.',
      width: 4, inputmode: 'decimal', spellcheck: false, labelClass: 'govuk-label--s' }),
    h('div', { class: 'govuk-button-group' }, button('Save the balance'), link(back, 'Cancel')));
  ctx.show('Set the balance brought forward', h('a', { class: 'govuk-back-link', href: back }, 'Back'),
    heading('Set the balance brought forward', 'l', l.pa_name),
    p(`The holiday ${l.pa_name} did not take in the last leave year and may take in this one (${years}), as your contract with them allows.`), form);
  submitting(form, async (values) => {
    const hours = values.hours.trim();
    if (!/^\d+(\.\d{1,2})?$/.test(hours) || Number(hours) <= 0) {
      return showErrors(form, [{ field: 'hours', text: 'Enter the hours as a number more than 0, for example 7.5' }]);
    }
    try {
      await api.post(ledgerPath(me.user_id, l.pa_id) + '/brought-forward', { leave_year_start: l.leave_year_start, hours });
      ctx.navigate(back, { message: { title: `Balance brought forward recorded for ${l.pa_name}`, text: `${hours} hours, into the leave year ${years}.` } });
    } catch (error) {
      showErrors(form, apiErrors(error, { hours: 'Hours' }, 'hours'));
    }
  });
}

// The PA asks for holiday: the employer approves it.
export async function book(ctx) {
  const me = await api.me();
  const { employments, details_missing: missing } = await api.get('/me/employments');
  if (missing.includes(ctx.params.employer_id)) {
    return ctx.navigate(`/pa/details/${encodeURIComponent(ctx.params.employer_id)}`, { replace: true });
  }
  const e = employments.find((x) => x.employer_id === ctx.params.employer_id && x.status === 'active');
  if (!e) return ctx.show('Employment not found', heading('Employment not found'), p(link('/pa/holiday', 'Back to my holiday')));
  const title = e.employer_name || 'your employer';
  const form = h('form', { novalidate: true }, holidayFields('Note for your employer (optional)'),
    h('div', { class: 'govuk-button-group' }, button('Send request'), link('/pa/holiday', 'Cancel')));
  ctx.show('Ask for holiday', h('a', { class: 'govuk-back-link', href: '/pa/holiday' }, 'Back'),
    heading('Ask for holiday', 'l', title), p(`${title} approves or declines it. We show the answer on your holiday page.`), form);
  submitting(form, async (values) => {
    const body = holidayBody(form, values);
    if (!body) return;
    try {
      const answer = await api.post(`${ledgerPath(e.employer_id, me.user_id)}/bookings`, body);
      ctx.navigate('/pa/holiday', { message: { title: 'Your holiday request is sent',
        text: answer.warning || `${title} will approve or decline it. You would have ${answer.balance_after_shown} hours left.` } });
    } catch (error) {
      showErrors(form, apiErrors(error, BOOKING_LABELS, 'first'));
    }
  });
}
