// Journey 5, compliance: a location's months (completed, missed, owed nothing) and its escalation
// stage; the organisation's view for approvers.
import * as api from '../api.js';
import { h, heading, p, link, button, table, tag, inset, monthName } from '../dom.js';
import { radios, textarea, submitting, showErrors, apiErrors } from '../forms.js';

export const STATUS = { completed: ['Completed', 'green'], missed: ['Missed', 'red'], not_due: ['Owed nothing', 'grey'] };
export const STAGE = {
  none: 'No action',
  help_offered: 'Missed a month: we have offered help',
  at_risk: 'At risk: two months missed in a row',
  eligible: 'Eligible for a penalty',
};
export const statusTag = (status) => (STATUS[status] ? tag(...STATUS[status]) : status || 'Not counted yet');

export async function organisation(ctx) {
  const me = await api.me();
  if (!me.roles.includes('approver')) {
    const owed = await api.get('/returns/owed');
    return ctx.show('Compliance', heading('Compliance'),
      p('Choose a location to see each month’s result.'),
      h('ul', { class: 'govuk-list' }, owed.locations.map((loc) => h('li', {}, link(`/compliance/${loc.location_id}`, loc.name)))));
  }
  const view = await api.get(`/organisations/${encodeURIComponent(me.organisation_id)}/compliance`);
  ctx.show('Compliance of your organisation', heading('Compliance of your organisation'),
    p('After each window closes, a location has completed the month if every care type has a return saved inside the window. Three missed months in a row, or four in twelve months, makes it eligible for a penalty.'),
    view.locations.length
      ? table('Your locations after the latest window', ['Location', 'Latest month', 'Result', 'Missed in a row', 'Missed in 12 months', 'Stage'],
        view.locations.map((loc) => [link(`/compliance/${loc.location_id}`, loc.name), loc.latest_period ? monthName(loc.latest_period) : 'None yet',
          statusTag(loc.status), String(loc.consecutive_misses ?? 0), String(loc.misses_last_12 ?? 0), STAGE[loc.stage] || 'No action']), { numeric: [3, 4] })
      : inset('No window has closed since your locations were registered, so there is nothing to show yet.'));
}

export async function location(ctx) {
  const [view, me] = await Promise.all([api.get(`/locations/${encodeURIComponent(ctx.params.location)}/compliance`), api.me()]);
  const latest = view.months[0];
  const title = `Compliance of ${view.name || view.location_id}`;
  const missed = view.months.filter((m) => m.status === 'missed');
  let correction = null;
  if (me.roles.includes('admin') && missed.length) {
    const careTypes = [...new Set(missed.flatMap((m) => m.care_types))];
    correction = h('form', { novalidate: true },
      h('h2', { class: 'govuk-heading-m' }, 'Accept a late return'),
      p('When a provider had a reasonable excuse (an outage, for example), a return saved late can count for its month.'),
      radios({ name: 'period', legend: 'Which month?', options: missed.map((m) => [m.period, monthName(m.period)]) }),
      radios({ name: 'care_type', legend: 'Which return?', options: careTypes.map((ct) => [ct, ct.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())]) }),
      textarea({ id: 'reason', label: 'Why does it count?', hint: 'Recorded with your name and the time' }),
      button('Accept the late return'));
    submitting(correction, async (values) => {
      const errors = [];
      if (!values.period) errors.push({ field: 'period', text: 'Select the month' });
      if (!values.care_type) errors.push({ field: 'care_type', text: 'Select the return' });
      if (values.reason.trim().length < 3) errors.push({ field: 'reason', text: 'Enter why the late return counts' });
      if (errors.length) return showErrors(correction, errors);
      try {
        await api.post(`/locations/${encodeURIComponent(view.location_id)}/compliance/${values.period}/corrections`, { care_type: values.care_type, reason: values.reason.trim() });
        ctx.navigate(window.location.pathname, { replace: true, message: { title: `The late ${values.care_type.replace(/_/g, ' ')} return for ${monthName(values.period)} now counts` } });
      } catch (error) {
        showErrors(correction, apiErrors(error, { reason: 'Reason', care_type: 'Return' }, 'reason'));
      }
    });
  }
  ctx.show(title, h('a', { class: 'govuk-back-link', href: me.roles.includes('admin') ? '/at-risk' : '/compliance' }, 'Back'),
    heading(title),
    latest ? p('Stage now: ', h('strong', {}, STAGE[latest.stage] || latest.stage)) : null,
    view.public_body ? inset('Run by a public body: tracked and reported, never escalated to an enforcement case.') : null,
    view.months.length
      ? table('Each month, newest first', ['Month', 'Result', 'Care types', 'Missed in a row', 'Missed in 12 months', 'Stage'],
        view.months.map((m) => [monthName(m.period), [statusTag(m.status), m.accepted_late.length ? ` (late return accepted: ${m.accepted_late.join(', ').replace(/_/g, ' ')})` : ''],
          m.care_types.join(', ').replace(/_/g, ' ') || 'None', String(m.consecutive_misses), String(m.misses_last_12), STAGE[m.stage] || m.stage]), { numeric: [3, 4] })
      : p('No window has been counted for this location yet.'),
    correction);
}
