// Journey 3, the rota for an employer: a week with every PA and the days nobody is on shift, as a
// table or as a list (the list is the one that works on a phone); add a shift or a weekly pattern;
// change one occurrence or the rest of its series; remove. Working-time warnings are shown in
// words beside the shift they are about (RULES 2.3).
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, table, tag, inset, formatDate } from '../dom.js';
import { input, radios, submitting, showErrors, clearErrors, apiErrors } from '../forms.js';

export const KINDS = { day: 'Day shift', waking_night: 'Waking night', sleep_in: 'Sleep-in' };
const KIND_OPTIONS = [['day', 'Day shift'], ['waking_night', 'Waking night', 'Awake and working all night'],
  ['sleep_in', 'Sleep-in', 'Asleep on the premises, woken only if needed']];

// Dates are ISO days (YYYY-MM-DD); arithmetic at noon UTC never crosses a day boundary.
export function addDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
export function mondayOf(iso) {
  const weekday = (new Date(`${iso}T12:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(iso, -weekday);
}
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
export function isDay(value) {
  return Boolean(value) && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T12:00:00Z`));
}
export function shortDay(iso) {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
}
// "7.5000" -> "7.5"
export function hours(value) {
  const n = Number(value);
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : String(value);
}
// "9", "9:00", "0900" or "9.30" -> "09:00" / "09:30"; anything else is left for the API to explain.
export function time(value) {
  const m = /^\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*$/.exec(value || '');
  return m ? `${m[1].padStart(2, '0')}:${m[2] || '00'}` : (value || '').trim();
}

// Someone changed it since the page was read (409 stale): say so, with the way to see their change.
export function staleErrors(form, error, here) {
  const summary = showErrors(form, [{ field: null, text: error.message }]);
  summary.querySelector('.govuk-error-summary__body').append(
    h('a', { class: 'govuk-button govuk-button--secondary', href: here, role: 'button', 'data-module': 'govuk-button' }, 'Reload the page'));
  return summary;
}

export async function allPas(employerId) {
  const out = [];
  let cursor = null;
  do {
    const answer = await api.get(`/employers/${encodeURIComponent(employerId)}/pas${api.q({ limit: 100, cursor })}`);
    out.push(...answer.pas);
    cursor = answer.next_cursor;
  } while (cursor);
  return out;
}

export function warningsByShift(warnings) {
  const out = {};
  for (const w of warnings) for (const id of w.shift_ids) (out[id] = out[id] || []).push(w);
  return out;
}

export function warningText(w) {
  return h('div', { class: 'govuk-warning-text' },
    h('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
    h('strong', { class: 'govuk-warning-text__text' }, h('span', { class: 'govuk-visually-hidden' }, 'Working-time warning: '), w.message));
}

// Shift ids of a series hold a colon: it stays as it is (the API's path does not decode %3A).
// "Day shift, break 12:00 to 12:30": the kind and the unpaid breaks (the times are in the title).
export function kindLine(s) {
  const breaks = s.breaks.map((b) => `break ${b.start} to ${b.end}`);
  const woken = s.disturbances.map((d) => `woken ${d.start} to ${d.end}`);
  return [KINDS[s.kind], ...(breaks.length ? breaks : ['no unpaid break']), ...woken].join(', ');
}

const shiftPath = (s) => `/rota/${encodeURIComponent(s.pa_id)}/${s.day}/${s.shift_id}`;
const when = (s) => `${s.start} to ${s.end}`;

// On a phone each warning is said once, beside the first shift it concerns this week; its other
// shifts point back to it (the same words under every shift made the list long).
function firstMentions(days, byShift) {
  const first = new Map();
  for (const d of days) for (const s of d.shifts) for (const w of byShift[s.shift_id] || []) if (!first.has(w)) first.set(w, s);
  return first;
}

// Beside a shift: the warnings said here first, then one pointer to each earlier shift that holds the rest.
function warningsBeside(s, warnings, first) {
  if (!first) return warnings.map(warningText);
  const own = warnings.filter((w) => first.get(w) === s);
  const earlier = [...new Set(warnings.filter((w) => first.get(w) !== s).map((w) => first.get(w)))];
  return [own.map(warningText), earlier.map((e) => {
    const n = warnings.filter((w) => first.get(w) === e).length;
    return p(h('span', { class: 'govuk-visually-hidden' }, 'Working-time warning: '),
      `See the ${n === 1 ? 'warning' : 'warnings'} with ${e.pa_name}’s shift on ${formatDate(e.day)}, ${when(e)}.`);
  })];
}

function shiftCard(s, warnings, withDay = false, first = null) {
  return h('div', { class: 'govuk-summary-card' },
    h('div', { class: 'govuk-summary-card__title-wrapper' },
      h('h3', { class: 'govuk-summary-card__title' }, withDay ? `${s.pa_name}, ${shortDay(s.day)}, ${when(s)}` : `${s.pa_name}, ${when(s)}`),
      h('ul', { class: 'govuk-summary-card__actions' }, h('li', { class: 'govuk-summary-card__action' },
        link(shiftPath(s), h('span', {}, 'Change', h('span', { class: 'govuk-visually-hidden' }, ` ${s.pa_name}’s shift ${when(s)}`)))))),
    h('div', { class: 'govuk-summary-card__content' },
      summaryList([
        ['Shift', kindLine(s)],
        ['Paid hours', hours(s.paid_hours)],
        s.series_id ? ['Repeats', s.detached ? 'Weekly, but this one was changed on its own' : 'Every week'] : null,
      ].filter(Boolean)),
      warningsBeside(s, warnings || [], first)));
}

export async function week(ctx) {
  const me = await api.me();
  const asked = ctx.query.get('week');
  const start = mondayOf(isDay(asked) ? asked : today());
  const end = addDays(start, 6);
  // One request after the other: the local API server answered two different routes at once with one's query model.
  const rota = await api.get(`/employer/rota${api.q({ from: start, to: end })}`);
  const pas = await allPas(me.user_id);
  const view = ctx.query.get('view') || (window.matchMedia('(min-width: 641px)').matches ? 'table' : 'list');
  const byShift = warningsByShift(rota.warnings);
  const general = rota.warnings.filter((w) => !w.shift_ids.length);
  const gaps = rota.days.filter((d) => d.nobody_on_shift);
  const here = (changes) => `/rota${api.q({ week: start, view, ...changes })}`;
  const title = `Rota for the week of ${formatDate(start)}`;
  const people = pas.map((pa) => ({ pa_id: pa.pa_id, pa_name: pa.pa_name }));
  for (const d of rota.days) for (const s of d.shifts) if (!people.some((x) => x.pa_id === s.pa_id)) people.push({ pa_id: s.pa_id, pa_name: s.pa_name });

  const asTable = () => table(`Shifts from ${formatDate(start)} to ${formatDate(end)}`, ['PA', ...rota.days.map((d) => shortDay(d.day))], [
    ...people.map((pa) => [pa.pa_name, ...rota.days.map((d) => {
      const mine = d.shifts.filter((s) => s.pa_id === pa.pa_id);
      if (!mine.length) return h('span', { class: 'govuk-hint' }, 'No shift');
      return h('ul', { class: 'govuk-list' }, mine.map((s) => h('li', {},
        link(shiftPath(s), h('span', {}, when(s), h('span', { class: 'govuk-visually-hidden' }, ` for ${pa.pa_name} on ${formatDate(s.day)}`))),
        byShift[s.shift_id] ? [h('br'), tag('Warning', 'orange')] : null)));
    })]),
    ['Anyone on shift?', ...rota.days.map((d) => (d.nobody_on_shift ? tag('Nobody', 'red') : 'Yes'))],
  ]);
  const first = firstMentions(rota.days, byShift);
  const asList = () => rota.days.map((d) => h('section', {},
    h('h2', { class: 'govuk-heading-m' }, formatDate(d.day)),
    d.nobody_on_shift ? p(tag('Nobody on shift', 'red')) : d.shifts.map((s) => shiftCard(s, byShift[s.shift_id], false, first)),
    p(link(`/rota/add${api.q({ day: d.day })}`, h('span', {}, 'Add a shift', h('span', { class: 'govuk-visually-hidden' }, ` on ${formatDate(d.day)}`))))));

  ctx.show(title,
    heading(title, 'l', 'Rota'),
    h('a', { class: 'govuk-button', href: `/rota/add${api.q({ day: start })}`, role: 'button', 'data-module': 'govuk-button' }, 'Add a shift or a weekly pattern'),
    h('nav', { 'aria-label': 'Other weeks', class: 'govuk-body' },
      link(here({ week: addDays(start, -7) }), 'Previous week'), ' · ',
      link(here({ week: mondayOf(today()) }), 'This week'), ' · ',
      link(here({ week: addDays(start, 7) }), 'Next week')),
    !pas.length ? inset('You have no PAs yet. ', link('/pas/add', 'Add a PA'), ' before you plan their shifts.') : null,
    gaps.length
      ? p(h('strong', {}, gaps.length === 7 ? 'Nobody is on shift this week.' : `Nobody is on shift on ${gaps.length} ${gaps.length === 1 ? 'day' : 'days'}: ${gaps.map((d) => shortDay(d.day)).join(', ')}.`))
      : p('Someone is on shift every day this week.'),
    rota.warnings.length ? p(`${rota.warnings.length} working-time ${rota.warnings.length === 1 ? 'warning' : 'warnings'} this week, shown beside the shifts.`) : null,
    general.map(warningText),
    p(view === 'table' ? link(here({ view: 'list' }), 'Show the week as a list, day by day') : link(here({ view: 'table' }), 'Show the week as a table')),
    view === 'table' ? [asTable(), Object.keys(byShift).length ? [h('h2', { class: 'govuk-heading-m' }, 'Working-time warnings'),
      rota.days.flatMap((d) => d.shifts.filter((s) => byShift[s.shift_id]).map((s) => shiftCard(s, byShift[s.shift_id], true)))] : null] : asList());
}

// Unpaid breaks, and a sleep-in's times woken (paid): a pair of times each, with a button for one more up to the API's limit.
const INTERVALS = {
  break: { legend: 'Unpaid breaks (optional)', hint: 'Leave empty if there is no break', noun: 'Break', more: 'Add another break', max: 12, examples: ['12:00', '12:30'] },
  woken: { legend: 'Times the PA is woken to work (optional)', hint: 'For example to give medicine in the night. Time woken is paid as work.',
    noun: 'Time woken', more: 'Add another time woken', max: 24, examples: ['02:00', '02:20'] },
};

function intervalRow(kind, i, v = {}) {
  const { noun, examples } = INTERVALS[kind];
  return h('div', { class: 'govuk-form-group', 'data-interval': kind },
    input({ id: `${kind}_start_${i}`, label: `${noun} ${i + 1} starts`, hint: i ? null : `For example, ${examples[0]}`, inputmode: 'numeric', width: 5, spellcheck: false, value: v.start || '' }),
    input({ id: `${kind}_end_${i}`, label: `${noun} ${i + 1} ends`, hint: i ? null : `For example, ${examples[1]}`, inputmode: 'numeric', width: 5, spellcheck: false, value: v.end || '' }));
}

function intervalFields(kind, existing) {
  const { legend, hint, more, max } = INTERVALS[kind];
  const rows = (existing && existing.length ? existing : [{}]).map((v, i) => intervalRow(kind, i, v));
  const list = h('div', {}, rows);
  const another = h('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button',
    hidden: rows.length >= max, onclick: () => {
      const n = list.children.length;
      list.append(intervalRow(kind, n));
      if (n + 1 >= max) another.hidden = true;
      list.lastChild.querySelector('input').focus();
    } }, more);
  return h('div', { class: 'govuk-form-group' },
    h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': `${kind}-hint` },
      h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, legend),
      h('div', { class: 'govuk-hint', id: `${kind}-hint` }, hint), list, another));
}

function kindFields(value, disturbances) {
  return radios({ name: 'kind', legend: 'Kind of shift', options: KIND_OPTIONS, value, conditional: { sleep_in: intervalFields('woken', disturbances) } });
}

const LABELS = { pa: 'PA', day: 'Day', start: 'Start time', end: 'End time', kind: 'Kind of shift', repeat_until: 'Last week of the pattern',
  breaks: 'Break', disturbances: 'Time woken' };

// The form's pairs of one kind: [{ index, start, end }] as the form holds them.
function pairs(values, kind) {
  const out = [];
  for (let i = 0; `${kind}_start_${i}` in values; i += 1) out.push({ index: i, start: values[`${kind}_start_${i}`], end: values[`${kind}_end_${i}`] });
  return out;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

// The form's times as hh:mm (9, 9.30 and 0930 are read too), each checked; the times woken only for a sleep-in.
function checkTimes(values, errors) {
  for (const name of ['start', 'end']) values[name] = time(values[name]);
  for (const name of ['start', 'end']) {
    if (!values[name]) errors.push({ field: name, text: `Enter the ${name} time, for example ${name === 'start' ? '09:00' : '17:00'}` });
    else if (!HHMM.test(values[name])) errors.push({ field: name, text: `Enter the ${name} time as hours and minutes on the 24-hour clock, for example 17:30` });
  }
  for (const kind of values.kind === 'sleep_in' ? ['break', 'woken'] : ['break']) {
    const { noun, examples } = INTERVALS[kind];
    for (const pair of pairs(values, kind)) {
      const [start, end] = [time(pair.start), time(pair.end)];
      values[`${kind}_start_${pair.index}`] = start;
      values[`${kind}_end_${pair.index}`] = end;
      const field = (edge) => `${kind}_${edge}_${pair.index}`;
      if (Boolean(start) !== Boolean(end)) errors.push({ field: field(start ? 'end' : 'start'), text: `Enter both the start and the end of ${noun.toLowerCase()} ${pair.index + 1}, or neither` });
      else if (start && !HHMM.test(start)) errors.push({ field: field('start'), text: `Enter when ${noun.toLowerCase()} ${pair.index + 1} starts as hours and minutes, for example ${examples[0]}` });
      else if (end && !HHMM.test(end)) errors.push({ field: field('end'), text: `Enter when ${noun.toLowerCase()} ${pair.index + 1} ends as hours and minutes, for example ${examples[1]}` });
    }
  }
}

function intervalsOf(values, kind) {
  return pairs(values, kind).filter((x) => x.start && x.end).map(({ start, end }) => ({ start, end }));
}

function shiftBody(values) {
  return { start: values.start, end: values.end, kind: values.kind || 'day', breaks: intervalsOf(values, 'break'),
    disturbances: values.kind === 'sleep_in' ? intervalsOf(values, 'woken') : [] };
}

// The banner over the week the form goes back to: the warnings shown beside that week's shifts are
// counted, not repeated; only those about other weeks are given in words.
function warningsMessage(title, answer, monday) {
  const sunday = addDays(monday, 6);
  const here = new Set(answer.shifts.filter((s) => s.day >= monday && s.day <= sunday).map((s) => s.shift_id));
  const onPage = (w) => (w.shift_ids.length ? w.shift_ids.some((id) => here.has(id)) : w.first_day <= sunday && w.last_day >= monday);
  const warnings = answer.warnings || [];
  const shown = warnings.filter(onPage).length;
  const elsewhere = [...new Set(warnings.filter((w) => !onPage(w)).map((w) => w.message))];
  const words = [
    shown ? `${shown} working-time ${shown === 1 ? 'warning' : 'warnings'}: read ${shown === 1 ? 'it' : 'them'} on the rota below.` : null,
    elsewhere.length ? `Working-time ${elsewhere.length === 1 ? 'warning' : 'warnings'} in other weeks: ${elsewhere.join(' ')}` : null,
  ].filter(Boolean);
  return { title, text: words.length ? words.join(' ') : null };
}

export async function add(ctx) {
  const me = await api.me();
  const pas = (await allPas(me.user_id)).filter((pa) => pa.status !== 'archived');
  const day = isDay(ctx.query.get('day')) ? ctx.query.get('day') : today();
  const back = `/rota${api.q({ week: mondayOf(day) })}`;
  const title = 'Add a shift or a weekly pattern';
  if (!pas.length) {
    return ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back to the rota'), heading(title),
      p('You need a PA before you can plan a shift.'), p(link('/pas/add', 'Add a PA')));
  }
  const chosen = ctx.query.get('pa') || (pas.length === 1 ? pas[0].pa_id : undefined);
  const form = h('form', { novalidate: true },
    radios({ name: 'pa', legend: 'Who is working?', legendClass: 'govuk-fieldset__legend--m', options: pas.map((pa) => [pa.pa_id, pa.pa_name]), value: chosen }),
    input({ id: 'day', label: 'Day the shift starts', type: 'date', value: day, labelClass: 'govuk-label--s' }),
    input({ id: 'start', label: 'Start time', hint: '24-hour clock, for example 09:00', inputmode: 'numeric', width: 5, spellcheck: false, labelClass: 'govuk-label--s' }),
    input({ id: 'end', label: 'End time', hint: 'For example 17:00. A time before the start means the next morning (a night shift)', inputmode: 'numeric', width: 5, spellcheck: false, labelClass: 'govuk-label--s' }),
    kindFields('day', null),
    intervalFields('break', null),
    radios({ name: 'repeat', legend: 'How often?', options: [['once', 'Just this day'], ['weekly', 'Every week on this day', 'A weekly pattern, up to a year']], value: 'once' }),
    input({ id: 'repeat_until', label: 'Last week of the pattern', hint: 'Only for a weekly pattern: the last day it repeats on', type: 'date', value: '' }),
    button('Add to the rota'));
  ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back to the rota'), heading(title, 'l', 'Rota'), form);
  submitting(form, async (values) => {
    clearErrors(form);
    const errors = [];
    if (!values.pa) errors.push({ field: 'pa', text: 'Select who is working' });
    if (!isDay(values.day)) errors.push({ field: 'day', text: 'Enter the day the shift starts' });
    checkTimes(values, errors);
    if (values.repeat === 'weekly' && !isDay(values.repeat_until)) errors.push({ field: 'repeat_until', text: 'Enter the last day the weekly pattern repeats on' });
    if (errors.length) return showErrors(form, errors);
    const body = { day: values.day, ...shiftBody(values), ...(values.repeat === 'weekly' ? { repeat_until: values.repeat_until } : {}) };
    try {
      const added = await api.post(`/employers/${encodeURIComponent(me.user_id)}/pas/${encodeURIComponent(values.pa)}/shifts`, body);
      const name = pas.find((pa) => pa.pa_id === values.pa).pa_name;
      const count = added.shifts.length;
      ctx.navigate(`/rota${api.q({ week: mondayOf(values.day) })}`,
        { message: warningsMessage(count === 1 ? `Shift added for ${name}` : `${count} weekly shifts added for ${name}`, added, mondayOf(values.day)) });
    } catch (error) {
      showErrors(form, apiErrors(error, LABELS, error.code === 'overlapping_shifts' ? 'start' : null));
    }
  });
}

export async function shift(ctx) {
  const { pa_id: paId, day, shift_id: shiftId } = ctx.params;
  const me = await api.me();
  const rota = isDay(day) ? await api.get(`/employer/rota${api.q({ from: day, to: day })}`) : { days: [], warnings: [] };
  const found = /^[A-Za-z0-9:._-]{1,80}$/.test(shiftId) ? rota.days.flatMap((d) => d.shifts).find((s) => s.shift_id === shiftId && s.pa_id === paId) : null;
  const back = `/rota${api.q({ week: mondayOf(isDay(day) ? day : today()) })}`;
  if (!found) {
    return ctx.show('Shift not found', h('a', { class: 'govuk-back-link', href: back }, 'Back to the rota'), heading('Shift not found'),
      p('That shift is not on the rota. It may have been removed or moved to another day.'), p(link(back, 'Back to the rota')));
  }
  const path = `/employers/${encodeURIComponent(me.user_id)}/pas/${encodeURIComponent(paId)}/shifts/${day}/${shiftId}`;
  const warnings = warningsByShift(rota.warnings)[shiftId] || [];
  const series = Boolean(found.series_id);
  const scope = (legend) => (series ? radios({ name: 'scope', legend, options: [['one', 'Only this one', formatDate(day)],
    ['rest', 'This one and every later one in the weekly pattern', 'Earlier ones stay as they are']], value: 'one' }) : null);
  const form = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Change the shift'),
    scope('Which shifts are you changing?'),
    input({ id: 'day', label: 'Day the shift starts', hint: series ? 'Only when you change this one: the rest of a pattern keeps its days' : null, type: 'date', value: day, labelClass: 'govuk-label--s' }),
    input({ id: 'start', label: 'Start time', hint: '24-hour clock, for example 09:00', inputmode: 'numeric', width: 5, spellcheck: false, value: found.start, labelClass: 'govuk-label--s' }),
    input({ id: 'end', label: 'End time', hint: 'A time before the start means the next morning', inputmode: 'numeric', width: 5, spellcheck: false, value: found.end, labelClass: 'govuk-label--s' }),
    kindFields(found.kind, found.disturbances),
    intervalFields('break', found.breaks),
    button('Save changes'));
  const remove = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Remove the shift'),
    series ? radios({ name: 'remove_scope', legend: 'Which shifts are you removing?', options: [['one', 'Only this one'], ['rest', 'This one and every later one in the weekly pattern']], value: 'one' })
      : p('The shift comes off the rota and the PA’s plan.'),
    button(series ? 'Remove' : 'Remove this shift', { class: 'govuk-button govuk-button--warning' }));
  const title = `${found.pa_name}’s shift on ${formatDate(day)}`;
  ctx.show(title, h('a', { class: 'govuk-back-link', href: back }, 'Back to the rota'), heading(title, 'l', 'Rota'),
    summaryList([['Time', when(found)], ['Shift', kindLine(found)], ['Paid hours', hours(found.paid_hours)],
      ['Repeats', series ? (found.detached ? 'Weekly, but this one was changed on its own' : 'Every week') : 'No']]),
    warnings.map(warningText), form, remove);
  submitting(form, async (values) => {
    clearErrors(form);
    const errors = [];
    checkTimes(values, errors);
    if (!isDay(values.day)) errors.push({ field: 'day', text: 'Enter the day the shift starts' });
    const rest = values.scope === 'rest';
    if (rest && values.day !== day) errors.push({ field: 'day', text: 'To move the rest of a weekly pattern to another day, remove it and add a new pattern' });
    if (errors.length) return showErrors(form, errors);
    const body = { version: found.version, scope: rest ? 'rest' : 'one', ...shiftBody(values), ...(values.day !== day ? { day: values.day } : {}) };
    try {
      const changed = await api.put(path, body);
      const count = changed.shifts.length;
      ctx.navigate(`/rota${api.q({ week: mondayOf(values.day) })}`,
        { message: warningsMessage(count > 1 ? `${count} shifts changed for ${found.pa_name}` : `Shift changed for ${found.pa_name}`, changed, mondayOf(values.day)) });
    } catch (error) {
      if (error.code === 'stale') return staleErrors(form, error, window.location.pathname);
      showErrors(form, apiErrors(error, LABELS, error.code === 'overlapping_shifts' ? 'start' : null));
    }
  });
  submitting(remove, async (values) => {
    clearErrors(remove);
    try {
      const gone = await api.del(`${path}${api.q({ version: found.version, scope: values.remove_scope === 'rest' ? 'rest' : 'one' })}`);
      const count = gone.removed.length;
      ctx.navigate(back, { message: { title: count > 1 ? `${count} shifts removed for ${found.pa_name}` : `Shift removed for ${found.pa_name}` } });
    } catch (error) {
      if (error.code === 'stale') return staleErrors(remove, error, window.location.pathname);
      showErrors(remove, apiErrors(error));
    }
  });
}

// The PA's own shifts, a week at a time (the PA's home shows this week).
export async function paWeek(ctx) {
  const asked = ctx.query.get('week');
  const start = mondayOf(isDay(asked) ? asked : today());
  const end = addDays(start, 6);
  const rota = await api.get(`/pa/rota${api.q({ from: start, to: end })}`);
  const jobs = await api.get('/me/employments');
  const names = Object.fromEntries(jobs.employments.map((e) => [e.employer_id, e.employer_name || 'Your employer']));
  const byShift = warningsByShift(rota.warnings);
  const title = `Your shifts for the week of ${formatDate(start)}`;
  ctx.show(title, heading(title, 'l', 'My work'),
    h('nav', { 'aria-label': 'Other weeks', class: 'govuk-body' },
      link(`/pa/rota${api.q({ week: addDays(start, -7) })}`, 'Previous week'), ' · ',
      link(`/pa/rota${api.q({ week: addDays(start, 7) })}`, 'Next week')),
    rota.days.map((d) => h('section', {}, h('h2', { class: 'govuk-heading-m' }, formatDate(d.day)),
      d.shifts.length ? d.shifts.map((s) => h('div', { class: 'govuk-summary-card' },
        h('div', { class: 'govuk-summary-card__title-wrapper' }, h('h3', { class: 'govuk-summary-card__title' }, `${when(s)} for ${names[s.employer_id] || 'your employer'}`)),
        h('div', { class: 'govuk-summary-card__content' }, summaryList([['Shift', kindLine(s)], ['Paid hours', hours(s.paid_hours)]]),
          (byShift[s.shift_id] || []).map(warningText)))) : p('No shifts.'))));
}
