// Journey 4, timesheets (RULES 2.3). The PA's timesheet for a pay period starts as the plan; they
// change the days that differ and submit it. The employer approves it or returns it with a reason,
// sees every version, and each PA's hours against the funded hours of the period.
import * as api from '../api.js';
import { h, heading, p, link, button, summaryList, table, tag, inset, formatDate, formatDateTime } from '../dom.js';
import { input, textarea, checkboxes, submitting, showErrors, clearErrors, apiErrors } from '../forms.js';
import { addDays, today, isDay, hours, time, warningText, kindLine, shortDay, staleErrors } from './rota.js';

const STATUS = { draft: ['Not submitted', 'grey'], returned: ['Returned', 'red'], submitted: ['Waiting for approval', 'blue'], approved: ['Approved', 'green'] };
const ACTIONS = { planned: 'Started from the rota', edited: 'Changed', submitted: 'Submitted', approved: 'Approved', returned: 'Returned', corrected: 'Corrected' };

export const statusTag = (status) => tag(...(STATUS[status] || [status, 'grey']));
const periodWords = (start, end) => `${formatDate(start)} to ${formatDate(end)}`;

// The pay period that contains `day`: the API names the start of the one containing a date that is not a start.
async function periodFor(pathOf, day) {
  try {
    return await api.get(pathOf(day));
  } catch (error) {
    if (error.code === 'not_a_period_start' && error.details.period_start) return api.get(pathOf(error.details.period_start));
    throw error;
  }
}

function noCycle(ctx, title, who) {
  return ctx.show(title, heading(title),
    p(who === 'employer' ? 'Timesheets follow your pay cycle, and you have not set it yet.' : 'Your employer has not set their pay cycle yet, so there is no timesheet to fill in.'),
    who === 'employer' ? p(link('/settings', 'Set your pay cycle in settings')) : null);
}

function hoursRows(c, allowanceName) {
  return [[`Hours worked, ${periodWords(c.from, c.to)}`, hours(c.worked)],
    [allowanceName, c.allowed === null ? 'None set' : hours(c.allowed)],
    c.note ? ['Over by', hoursWords(c.over_by)] : null].filter(Boolean);
}

function weeksTable(caption, comparison) {
  return table(caption, ['Week', 'Worked', 'Allowed', 'Over by'], comparison.weeks.map((w) => [
    `${shortDay(w.from)} to ${shortDay(w.to)}`, hours(w.worked), w.allowed === null ? 'None set' : hours(w.allowed), w.note ? hours(w.over_by) : 'Not over']), { numeric: [1, 2, 3] });
}

const shiftLine = (s) => `${s.start} to ${s.end}, ${kindLine(s).charAt(0).toLowerCase()}${kindLine(s).slice(1)}`;
const hoursWords = (value) => `${hours(value)} ${hours(value) === '1' ? 'hour' : 'hours'}`;

// What both people see first: the period, its status and hours, and why it was returned.
function overview(ts) {
  const returned = [...ts.versions].reverse().find((v) => v.action === 'returned');
  return [
    summaryList([['Pay period', periodWords(ts.period_start, ts.period_end)], ['Status', statusTag(ts.status)], ['Hours worked', hours(ts.hours)],
      ts.contracted.period.allowed !== null ? ['Contracted hours', hours(ts.contracted.period.allowed)] : null].filter(Boolean)),
    ts.contracted.notes.map((n) => inset(n)),
    ts.status === 'returned' && returned ? inset(h('strong', {}, 'Returned with this reason: '), returned.reason) : null,
  ];
}

// Then the differences from the plan, the working-time warnings and every version.
function history(ts, whoIs) {
  return [
    h('h2', { class: 'govuk-heading-m' }, 'Differences from the rota'),
    ts.differences_from_plan.length ? h('ul', { class: 'govuk-list govuk-list--bullet' }, ts.differences_from_plan.map((d) => h('li', {}, d))) : p('None: the hours are as planned.'),
    ts.warnings.length ? [h('h2', { class: 'govuk-heading-m' }, 'Working-time warnings'), ts.warnings.map(warningText)] : null,
    h('h2', { class: 'govuk-heading-m' }, 'Versions'),
    table('Every version of this timesheet, newest first', ['Version', 'What happened', 'By', 'When', 'Hours', 'Reason'],
      [...ts.versions].reverse().map((v) => [String(v.version), ACTIONS[v.action] || v.action, whoIs(v.by), formatDateTime(v.at), hours(v.hours), v.reason || ''])),
  ];
}

function worked(ts) {
  return ts.shifts.length
    ? table('Shifts worked', ['Day', 'Shift', 'Paid hours'], ts.shifts.map((s) => [formatDate(s.day), shiftLine(s), hours(s.paid_hours)]), { numeric: [2] })
    : p('No shifts in this period.');
}

// One fieldset a day, as recorded now, and one for a shift the rota does not show.
function dayFields(ts, who) {
  const days = ts.shifts.map((s, i) => h('div', { class: 'govuk-form-group' },
    h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': `shift-${i}-hint` },
      h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' }, h('h2', { class: 'govuk-fieldset__heading' }, formatDate(s.day))),
      h('div', { class: 'govuk-hint', id: `shift-${i}-hint` }, shiftLine(s)),
      input({ id: `start-${i}`, label: 'Started at', inputmode: 'numeric', width: 5, spellcheck: false, value: s.start }),
      input({ id: `end-${i}`, label: 'Finished at', inputmode: 'numeric', width: 5, spellcheck: false, value: s.end }),
      checkboxes({ name: `skip-${i}`, legend: 'Not worked?', options: [['yes', who === 'pa' ? 'I did not work this shift' : 'This shift was not worked']] }))));
  const extra = h('div', { class: 'govuk-form-group' },
    h('fieldset', { class: 'govuk-fieldset' },
      h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' }, h('h2', { class: 'govuk-fieldset__heading' }, 'A shift that is not on the rota (optional)')),
      input({ id: 'extra_day', label: 'Day', type: 'date' }),
      input({ id: 'extra_start', label: 'Started at', hint: 'For example, 09:00', inputmode: 'numeric', width: 5, spellcheck: false }),
      input({ id: 'extra_end', label: 'Finished at', hint: 'For example, 17:00', inputmode: 'numeric', width: 5, spellcheck: false })));
  return [days, extra];
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

// The whole list of shifts worked, from dayFields' values; problems go in `errors`.
function linesFrom(ts, values, errors) {
  const lines = [];
  ts.shifts.forEach((s, i) => {
    if (values[`skip-${i}`]) return;
    const start = time(values[`start-${i}`]);
    const end = time(values[`end-${i}`]);
    for (const [name, value] of [[`start-${i}`, start], [`end-${i}`, end]]) {
      if (!CLOCK.test(value)) errors.push({ field: name, text: `${formatDate(s.day)}: enter the time the shift ${name.startsWith('start') ? 'started' : 'finished'} as hours and minutes, for example 09:00` });
    }
    lines.push({ shift_id: s.shift_id, day: s.day, start, end, kind: s.kind, breaks: s.breaks, disturbances: s.disturbances });
  });
  const extraStart = time(values.extra_start);
  const extraEnd = time(values.extra_end);
  if (values.extra_day || extraStart || extraEnd) {
    if (!isDay(values.extra_day)) errors.push({ field: 'extra_day', text: 'Enter the day of the shift that is not on the rota' });
    for (const [name, value] of [['extra_start', extraStart], ['extra_end', extraEnd]]) {
      if (!CLOCK.test(value)) errors.push({ field: name, text: `Enter when the shift that is not on the rota ${name === 'extra_start' ? 'started' : 'finished'}, for example 09:00` });
    }
    lines.push({ day: values.extra_day, start: extraStart, end: extraEnd, kind: 'day' });
  }
  return lines;
}

// ---------- the employer ----------

export async function queue(ctx) {
  const me = await api.me();
  const asked = ctx.query.get('period');
  const title = 'Timesheets';
  let current;
  try {
    current = await periodFor((d) => `/employer/hours/${d}`, isDay(asked) ? asked : today());
  } catch (error) {
    if (error.code === 'no_pay_cycle' || error.code === 'no_employer_settings') return noCycle(ctx, title, 'employer');
    throw error;
  }
  const previous = await periodFor((d) => `/employer/hours/${d}`, addDays(current.period_start, -1));
  const waiting = [current, previous].flatMap((hrs) => hrs.pas.filter((pa) => pa.status === 'submitted').map((pa) => ({ ...pa, hrs })));
  const sheet = (pa, hrs) => `/timesheets/${encodeURIComponent(pa.pa_id)}/${hrs.period_start}`;
  const funded = current.funded.period;
  ctx.show(title, heading(title),
    h('h2', { class: 'govuk-heading-m' }, 'Waiting for your approval'),
    waiting.length
      ? h('ul', { class: 'govuk-list' }, waiting.map(({ hrs, ...pa }) => h('li', {},
        link(sheet(pa, hrs), `${pa.pa_name}: ${periodWords(hrs.period_start, hrs.period_end)}`), `, ${hoursWords(pa.hours)}`)))
      : p('No timesheets are waiting for you.'),
    h('h2', { class: 'govuk-heading-m' }, `Pay period ${periodWords(current.period_start, current.period_end)}`),
    h('nav', { 'aria-label': 'Other pay periods', class: 'govuk-body' },
      link(`/timesheets${api.q({ period: previous.period_start })}`, 'Previous pay period'), ' · ',
      link(`/timesheets${api.q({ period: addDays(current.period_end, 1) })}`, 'Next pay period')),
    h('h3', { class: 'govuk-heading-s' }, 'Hours against your funded hours'),
    summaryList(hoursRows(funded, 'Funded hours')),
    current.funded.notes.map((n) => inset(n)),
    weeksTable('Hours each week against your funded hours', current.funded),
    current.pas.length
      ? table('Each PA’s timesheet for this pay period', ['PA', 'Status', 'Hours'], current.pas.map((pa) => [
        link(sheet(pa, current), pa.pa_name), statusTag(pa.status), hours(pa.hours)]), { numeric: [2] })
      : p('Nobody has shifts in this pay period.'));
}

export async function employerTimesheet(ctx) {
  const { pa_id: paId, period_start: start } = ctx.params;
  const me = await api.me();
  const path = `/employers/${encodeURIComponent(me.user_id)}/pas/${encodeURIComponent(paId)}/timesheets/${encodeURIComponent(start)}`;
  const ts = await api.get(path);
  const back = `/timesheets${api.q({ period: ts.period_start })}`;
  const whoIs = (id) => (id === ts.pa_id ? ts.pa_name : id === ts.employer_id ? 'You' : 'Care Tracker');
  const title = `${ts.pa_name}’s timesheet`;
  const approve = h('form', { novalidate: true }, button('Approve timesheet'));
  const giveBack = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Something wrong?'),
    textarea({ id: 'reason', label: 'Why are you returning it?', hint: `${ts.pa_name} sees this and can correct the timesheet`, rows: 3 }),
    button('Return to the PA', { class: 'govuk-button govuk-button--secondary' }));
  ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back to timesheets'),
    heading(title, 'l', periodWords(ts.period_start, ts.period_end)),
    overview(ts),
    ts.status === 'submitted' ? [p(`${ts.pa_name} submitted this timesheet. Check the shifts, then approve it or return it.`)] : null,
    ts.status === 'draft' ? inset(`${ts.pa_name} has not submitted this timesheet yet.`) : null,
    worked(ts),
    ts.status === 'submitted' ? [approve, giveBack] : null,
    ts.status === 'approved' ? p(link(`/timesheets/${encodeURIComponent(paId)}/${ts.period_start}/correct`, 'Correct this timesheet'), ' (the approved version is kept)') : null,
    history(ts, whoIs));
  const step = async (form, action, body, message) => {
    clearErrors(form);
    try {
      await api.post(`${path}/${action}`, { version: ts.version, ...body });
      ctx.navigate(back, { message });
    } catch (error) {
      if (error.code === 'stale') return staleErrors(form, error, window.location.pathname);
      showErrors(form, apiErrors(error, { reason: 'Reason' }, action === 'return' ? 'reason' : null));
    }
  };
  submitting(approve, () => step(approve, 'approve', {}, { title: `${ts.pa_name}’s timesheet approved`, text: `${hours(ts.hours)} hours for ${periodWords(ts.period_start, ts.period_end)}.` }));
  submitting(giveBack, (values) => {
    if (!values.reason.trim()) return showErrors(giveBack, [{ field: 'reason', text: 'Enter why you are returning the timesheet' }]);
    return step(giveBack, 'return', { reason: values.reason.trim() }, { title: `${ts.pa_name}’s timesheet returned`, text: 'They can see your reason and correct it.' });
  });
}

// An approved timesheet corrected with a reason: a new version, approved at once when the employer
// makes it, sent for approval when the PA does. The approved version stays among the versions.
async function correctPage(ctx, { path, back, who }) {
  const ts = await api.get(path);
  const title = who === 'pa' ? 'Correct your timesheet' : `Correct ${ts.pa_name}’s timesheet`;
  if (ts.status !== 'approved') {
    return ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back to the timesheet'), heading(title),
      p('Only an approved timesheet is corrected here. Until it is approved, change it on the timesheet itself.'), p(link(back, 'Back to the timesheet')));
  }
  const form = h('form', { novalidate: true }, dayFields(ts, who),
    textarea({ id: 'reason', label: 'Why are you correcting it?', hint: 'Kept with the new version, for you, the other person and an audit', rows: 3 }),
    button(who === 'pa' ? 'Send the correction for approval' : 'Save the correction'));
  ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back to the timesheet'),
    heading(title, 'l', periodWords(ts.period_start, ts.period_end)),
    p(who === 'pa' ? 'Change the days that were wrong. Your employer approves the correction; the approved version stays in the timesheet’s versions.'
      : 'Change the days that were wrong. The approved version stays in the timesheet’s versions.'), form);
  submitting(form, async (values) => {
    clearErrors(form);
    const errors = [];
    const shifts = linesFrom(ts, values, errors);
    if (!values.reason.trim()) errors.push({ field: 'reason', text: 'Enter why you are correcting the timesheet' });
    if (errors.length) return showErrors(form, errors);
    try {
      await api.post(`${path}/correct`, { version: ts.version, shifts, reason: values.reason.trim() });
      ctx.navigate(back, { message: who === 'pa'
        ? { title: 'Correction sent', text: 'Your employer has been asked to approve it.' }
        : { title: `${ts.pa_name}’s timesheet corrected`, text: 'The correction is approved; the earlier version is kept.' } });
    } catch (error) {
      if (error.code === 'stale') return staleErrors(form, error, window.location.pathname);
      showErrors(form, apiErrors(error, { reason: 'Reason' }));
    }
  });
}

export async function correct(ctx) {
  const { pa_id: paId, period_start: start } = ctx.params;
  const me = await api.me();
  return correctPage(ctx, { who: 'employer', back: `/timesheets/${encodeURIComponent(paId)}/${encodeURIComponent(start)}`,
    path: `/employers/${encodeURIComponent(me.user_id)}/pas/${encodeURIComponent(paId)}/timesheets/${encodeURIComponent(start)}` });
}

export async function paCorrect(ctx) {
  const { employer_id: employerId, period_start: start } = ctx.params;
  const me = await api.me();
  return correctPage(ctx, { who: 'pa', back: `/pa/timesheets/${encodeURIComponent(employerId)}/${encodeURIComponent(start)}`,
    path: `/employers/${encodeURIComponent(employerId)}/pas/${encodeURIComponent(me.user_id)}/timesheets/${encodeURIComponent(start)}` });
}

// ---------- the PA ----------

async function myPeriod(employerId, paId, day) {
  return periodFor((d) => `/employers/${encodeURIComponent(employerId)}/pas/${encodeURIComponent(paId)}/timesheets/${d}`, day);
}

export async function paPeriods(ctx) {
  const me = await api.me();
  const jobs = (await api.get('/me/employments')).employments.filter((e) => e.status !== 'archived');
  const title = 'My timesheets';
  const sections = [];
  for (const job of jobs) sections.push(await (async () => {
    const name = job.employer_name || 'Your employer';
    let periods;
    try {
      const current = await myPeriod(job.employer_id, me.user_id, today());
      const before = await myPeriod(job.employer_id, me.user_id, addDays(current.period_start, -1));
      periods = [current, before];
    } catch (error) {
      if (error.code === 'no_pay_cycle' || error.code === 'no_employer_settings') return h('section', {}, h('h2', { class: 'govuk-heading-m' }, name), p(`${name} has not set their pay cycle yet.`));
      throw error;
    }
    return h('section', {}, h('h2', { class: 'govuk-heading-m' }, name),
      h('ul', { class: 'govuk-list' }, periods.map((ts) => h('li', {},
        link(`/pa/timesheets/${encodeURIComponent(job.employer_id)}/${ts.period_start}`, periodWords(ts.period_start, ts.period_end)), ' ', statusTag(ts.status)))),
      p(link(`/pa/timesheets/${encodeURIComponent(job.employer_id)}/${addDays(periods[1].period_start, -1)}`, 'An earlier pay period')));
  })());
  ctx.show(title, heading(title), jobs.length ? sections : p('You have no current employments.'));
}

export async function paTimesheet(ctx) {
  const { employer_id: employerId, period_start: asked } = ctx.params;
  const me = await api.me();
  const ts = await myPeriod(employerId, me.user_id, isDay(asked) ? asked : today());
  const jobs = await api.get('/me/employments');
  const job = jobs.employments.find((e) => e.employer_id === employerId);
  const employer = (job && job.employer_name) || 'your employer';
  const path = `/employers/${encodeURIComponent(employerId)}/pas/${encodeURIComponent(me.user_id)}/timesheets/${ts.period_start}`;
  const here = `/pa/timesheets/${encodeURIComponent(employerId)}/${ts.period_start}`;
  const whoIs = (id) => (id === ts.pa_id ? 'You' : id === ts.employer_id ? employer : 'Care Tracker');
  const editable = ts.status === 'draft' || ts.status === 'returned';
  const title = 'Your timesheet';
  const intro = {
    draft: 'This starts as your rota. Change any day you worked different hours, then submit it.',
    returned: 'Your employer returned this timesheet. Correct it, then submit it again.',
    submitted: `You submitted this timesheet. It is waiting for ${employer} to approve it.`,
    approved: `${employer} approved this timesheet.`,
  }[ts.status];
  const edit = h('form', { novalidate: true }, dayFields(ts, 'pa'), button('Save changes', { class: 'govuk-button govuk-button--secondary' }));
  const submit = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Ready to send it?'),
    p(`${employer} checks it and approves it. You cannot change it after you submit it, unless they return it.`),
    button('Submit timesheet'));
  ctx.show(title, h('a', { class: 'govuk-back-link', href: '/pa/timesheets' }, 'Back to my timesheets'),
    heading(title, 'l', periodWords(ts.period_start, ts.period_end)),
    p(intro),
    overview(ts),
    editable ? [edit, submit] : worked(ts),
    ts.status === 'approved' ? p(link(`${here}/correct`, 'Something wrong? Correct this timesheet')) : null,
    history(ts, whoIs));
  if (!editable) return;
  submitting(edit, async (values) => {
    clearErrors(edit);
    const errors = [];
    const lines = linesFrom(ts, values, errors);
    if (errors.length) return showErrors(edit, errors);
    try {
      await api.put(path, { version: ts.version, shifts: lines });
      ctx.navigate(here, { message: { title: 'Your changes are saved', text: 'Submit the timesheet when it is right.' } });
    } catch (error) {
      if (error.code === 'stale') return staleErrors(edit, error, window.location.pathname);
      showErrors(edit, apiErrors(error));
    }
  });
  submitting(submit, async () => {
    clearErrors(submit);
    try {
      await api.post(`${path}/submit`, { version: ts.version });
      ctx.navigate(here, { message: { title: 'Timesheet submitted', text: `${employer} has been asked to approve it.` } });
    } catch (error) {
      if (error.code === 'stale') return staleErrors(submit, error, window.location.pathname);
      showErrors(submit, apiErrors(error));
    }
  });
}
