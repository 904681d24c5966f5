// Journey 7, the support team: announcements (post; everyone sees them at sign-in), the national
// report by local authority and region, locations at risk, escalation tasks, CSV downloads.
// Requests with no approver are the Access requests page; corrections are on a location's compliance page.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, table, inset, formatDateTime, monthName } from '../dom.js';
import { input, textarea, submitting, showErrors, apiErrors, fieldset } from '../forms.js';
import { STAGE } from './compliance.js';

function londonOffsetMinutes(date) {
  const x = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(date).map((part) => [part.type, part.value]));
  return Math.round((Date.UTC(+x.year, +x.month - 1, +x.day, +x.hour, +x.minute) - date.getTime()) / 60000);
}
// The instant of midnight in London at the start of a date (plus `days`).
export function londonMidnight(y, m, d, days = 0) {
  const guess = Date.UTC(y, m - 1, d + days);
  return new Date(guess - londonOffsetMinutes(new Date(guess)) * 60000).toISOString();
}

function dateInput(id, legend, hint) {
  const part = (name, label, width) => h('div', { class: 'govuk-date-input__item' }, h('div', { class: 'govuk-form-group' },
    h('label', { class: 'govuk-label govuk-date-input__label', for: `${id}-${name}` }, label),
    h('input', { class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: `${id}-${name}`, name: `${id}-${name}`, type: 'text', inputmode: 'numeric' })));
  return h('div', { class: 'govuk-form-group', 'data-field': id },
    h('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': `${id}-hint` },
      h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, legend),
      h('div', { class: 'govuk-hint', id: `${id}-hint` }, hint),
      h('div', { class: 'govuk-date-input', id }, part('day', 'Day', 2), part('month', 'Month', 2), part('year', 'Year', 4))));
}

function readDate(values, id) {
  const [d, m, y] = ['day', 'month', 'year'].map((k) => Number((values[`${id}-${k}`] || '').trim()));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y > 2000 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? [y, m, d] : null;
}

export async function announcements(ctx) {
  const { announcements: current } = await api.get('/announcements');
  const form = h('form', { novalidate: true },
    input({ id: 'title', label: 'Title', hint: 'For example: Webinar on the new return, 10 December' }),
    textarea({ id: 'body', label: 'What people should know', rows: 5 }),
    dateInput('starts', 'Show from', 'The first day it is shown, for example 1 12 2026'),
    dateInput('ends', 'Show until', 'The last day it is shown'),
    button('Post announcement'));
  ctx.show('Announcements', heading('Announcements'),
    p('Everyone sees the current announcements when they sign in.'),
    h('h2', { class: 'govuk-heading-m' }, 'Showing now'),
    current.length ? h('ul', { class: 'govuk-list' }, current.map((a) => h('li', {}, h('strong', {}, a.title), ` (until ${formatDateTime(a.ends_at)}): `, a.body)))
      : p('No announcements are showing.'),
    h('h2', { class: 'govuk-heading-m' }, 'Post an announcement'), form);
  submitting(form, async (values) => {
    const errors = [];
    if (values.title.trim().length < 3) errors.push({ field: 'title', text: 'Enter a title of at least 3 characters' });
    if (!values.body.trim()) errors.push({ field: 'body', text: 'Enter what people should know' });
    const starts = readDate(values, 'starts');
    const ends = readDate(values, 'ends');
    if (!starts) errors.push({ field: 'starts', text: 'Enter the first day as a real date, like 1 12 2026' });
    if (!ends) errors.push({ field: 'ends', text: 'Enter the last day as a real date, like 31 12 2026' });
    if (errors.length) return showErrors(form, errors);
    try {
      await api.post('/announcements', { title: values.title.trim(), body: values.body.trim(), starts_at: londonMidnight(...starts), ends_at: londonMidnight(...ends, 1) });
      ctx.navigate('/announcements', { message: { title: 'Announcement posted', text: 'People see it when they sign in, from its first day.' } });
    } catch (error) {
      showErrors(form, apiErrors(error, { title: 'Title', body: 'What people should know', starts_at: 'Show from', ends_at: 'Show until' }, 'title'));
    }
  });
}

// A CSV from an authorised GET, saved through a temporary link (the token never goes in a URL).
export async function download(path, filename) {
  const text = await api.get(path);
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function csvButton(text, path, filename) {
  return h('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', onclick: () => download(path, filename) }, text);
}

function previousMonth() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function periodForm(ctx, path, period) {
  const form = h('form', { novalidate: true, class: 'govuk-!-margin-bottom-6' },
    input({ id: 'period', label: 'Month', hint: 'As year and month, for example 2026-11', width: 10, value: period, spellcheck: false }),
    secondary('Show'));
  submitting(form, ({ period: chosen }) => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(chosen.trim())) return showErrors(form, [{ field: 'period', text: 'Enter the month as year and month, like 2026-11' }]);
    ctx.navigate(`${path}?period=${chosen.trim()}`);
  });
  return form;
}

const rate = (g) => (g.completion_rate === null ? 'Nothing expected' : `${Math.round(g.completion_rate * 1000) / 10}%`);
const figures = (groups) => groups.map((g) => [g.name, String(g.expected), String(g.completed), String(g.missed), String(g.not_due), rate(g)]);
const HEADS = ['Area', 'Expected', 'Completed', 'Missed', 'Owed nothing', 'Completion'];

export async function reports(ctx) {
  const period = ctx.query.get('period') || previousMonth();
  let report;
  try { report = await api.get(`/compliance/windows/${encodeURIComponent(period)}`); } catch (error) {
    if (error.status !== 404 && error.status !== 400) throw error;
    return ctx.show('National report', heading('National report'), periodForm(ctx, '/reports', period), inset(error.message));
  }
  ctx.show(`National report for ${monthName(report.period)}`, heading(`National report for ${monthName(report.period)}`),
    periodForm(ctx, '/reports', period),
    p(`England: ${report.overall.completed} of ${report.overall.expected} expected locations completed the month (${rate(report.overall)}).`),
    table('By local authority', HEADS, figures(report.by_local_authority), { numeric: [1, 2, 3, 4, 5] }),
    table('By region', HEADS, figures(report.by_region), { numeric: [1, 2, 3, 4, 5] }),
    csvButton('Download this report (CSV)', `/compliance/windows/${report.period}?format=csv`, `national-report-${report.period}.csv`));
}

export async function atRisk(ctx) {
  const period = ctx.query.get('period');
  const answer = await api.get(`/compliance/at-risk${api.q({ period })}`);
  ctx.show('Locations at risk', heading('Locations at risk', 'l', answer.period ? `After the ${monthName(answer.period)} window` : null),
    periodForm(ctx, '/at-risk', answer.period || ''),
    answer.locations.length
      ? table('Locations at risk or eligible for a penalty', ['Location', 'Local authority', 'Stage', 'Missed in a row', 'Missed in 12 months'],
        answer.locations.map((l) => [link(`/compliance/${l.location_id}`, l.name), l.local_authority || '', STAGE[l.stage] || l.stage, String(l.consecutive_misses), String(l.misses_last_12)]), { numeric: [3, 4] })
      : p('No location is at risk.'),
    answer.period ? csvButton('Download this list (CSV)', `/compliance/at-risk?period=${answer.period}&format=csv`, `at-risk-${answer.period}.csv`) : null);
}

const TASKS = { offer_help: 'Offer help', warn_at_risk: 'Warn: at risk', open_case: 'Open an enforcement case' };

export async function tasks(ctx) {
  const period = ctx.query.get('period');
  const answer = await api.get(`/compliance/tasks${api.q({ period })}`);
  ctx.show('Escalation tasks', heading('Escalation tasks', 'l', answer.period ? `After the ${monthName(answer.period)} window` : null),
    periodForm(ctx, '/tasks', answer.period || ''),
    answer.tasks.length
      ? table('Steps taken after the window', ['Location', 'Step', 'Emails sent', 'When', 'Status'],
        answer.tasks.map((t) => [link(`/compliance/${t.location_id}`, t.location_name || t.location_id), TASKS[t.action] || t.action, String(t.emails_sent ?? ''), formatDateTime(t.created_at), t.status]))
      : p('No escalation steps for this window.'));
}

export async function downloads(ctx) {
  const form = h('form', { novalidate: true },
    fieldset('Returns for a month', [input({ id: 'month', label: 'Month', hint: 'For example 2026-11', width: 10, spellcheck: false })]),
    button('Make the file', { name: 'kind', value: 'returns_month' }));
  const daily = h('form', { novalidate: true },
    fieldset('Daily changes', [input({ id: 'day', label: 'Day', hint: 'The returns saved on one day, for example 2026-12-09 (written each night)', width: 10, spellcheck: false })]),
    button('Make the file', { name: 'kind', value: 'daily_changes' }));
  const result = h('div', { 'aria-live': 'polite', id: 'download-result' });
  ctx.show('Downloads', heading('Downloads (CSV)'), result, form, daily,
    h('h2', { class: 'govuk-heading-m' }, 'Reports'), p(link('/reports', 'National report by local authority and region'), ' and ', link('/at-risk', 'locations at risk'), ' have their own downloads.'));
  const make = (which, kind, period, field) => async () => {
    if (!period) return showErrors(which, [{ field, text: field === 'month' ? 'Enter the month, like 2026-11' : 'Enter the day, like 2026-12-09' }]);
    try {
      const made = await api.post('/exports', { kind, period });
      result.replaceChildren(h('div', { class: 'govuk-panel govuk-panel--confirmation govuk-!-text-align-left' },
        h('h2', { class: 'govuk-panel__title govuk-!-font-size-27' }, 'Your file is ready'),
        h('div', { class: 'govuk-panel__body govuk-!-font-size-19' }, `${made.rows ?? 'Some'} rows. The link works for 15 minutes.`)),
      p(h('a', { class: 'govuk-link', href: made.download_url, download: `${kind}-${period}.csv`, id: 'download-link' }, `Download ${kind === 'returns_month' ? 'returns for' : 'changes of'} ${period} (CSV)`)));
      result.querySelector('a').focus();
    } catch (error) {
      showErrors(which, [{ field, text: error.message }]);
    }
  };
  submitting(form, (values) => make(form, 'returns_month', values.month.trim(), 'month')());
  submitting(daily, (values) => make(daily, 'daily_changes', values.day.trim(), 'day')());
}
