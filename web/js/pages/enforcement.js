// Journey 8, enforcement officers: cases by state; one case's locations, months and log; each step
// the case allows, with who, when and why recorded.
import * as api from '../api.js';
import { h, heading, p, link, button, summaryList, table, tag, inset, formatDate, formatDateTime, monthName } from '../dom.js';
import { input, radios, textarea, submitting, showErrors, apiErrors } from '../forms.js';

export const STATES = {
  open: 'Open', notice_of_intent: 'Notice of intent issued', representations_received: 'Representations received',
  representations_deadline_passed: 'Deadline for representations passed', withdrawn: 'Withdrawn', penalty_imposed: 'Penalty imposed',
  final_notice: 'Final notice issued', appealed: 'Appealed to the First-tier Tribunal', closed: 'Closed',
};
const ACTIONS = {
  issue_notice: ['Issue a notice of intent', 'The provider then has a period to make representations'],
  record_representations: ['Record the representations received', null],
  mark_deadline_passed: ['Record that the deadline for representations passed', null],
  withdraw: ['Withdraw the case', 'For example, the circumstances explain the missed returns'],
  impose_penalty: ['Impose a penalty', 'The amount is the provider’s annual CQC registration fee'],
  issue_final_notice: ['Issue the final notice', null],
  record_appeal: ['Record an appeal to the First-tier Tribunal', null],
  close: ['Close the case', null],
};
const pounds = (pence) => `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`;

export async function cases(ctx) {
  const state = ctx.query.get('state') || '';
  const [{ by_state: counts }, { cases: found }] = await Promise.all([api.get('/enforcement/summary'), api.get(`/enforcement/cases${api.q({ state })}`)]);
  const title = state ? `Enforcement cases: ${STATES[state] || state}` : 'Enforcement cases';
  ctx.show(title, heading(title),
    h('h2', { class: 'govuk-heading-m' }, 'Cases by state'),
    h('ul', { class: 'govuk-list' }, [h('li', {}, state ? link('/cases', 'All cases') : h('strong', {}, 'All cases'))],
      Object.keys(STATES).filter((s) => counts[s]).map((s) => h('li', {}, s === state ? h('strong', {}, `${STATES[s]} (${counts[s]})`) : link(`/cases?state=${s}`, `${STATES[s]} (${counts[s]})`)))),
    found.length
      ? table(state ? `${STATES[state]} cases` : 'Every case', ['Organisation', 'State', 'Opened', 'Locations', 'Next steps'],
        found.map((c) => [link(`/case${api.q({ id: c.case_id })}`, c.organisation_id, { 'aria-label': `Case of organisation ${c.organisation_id}` }), STATES[c.state] || c.state, formatDate(c.opened_at.slice(0, 10)),
          String(c.locations.length), c.allowed_actions.map((a) => (ACTIONS[a] || [a])[0]).join('; ') || 'None']))
      : p('There are no cases in this state.'));
}

export async function oneCase(ctx) {
  // A case id holds a dot (organisation.period), and client paths never do (CloudFront's deep links): so ?id=.
  const c = await api.get(`/enforcement/cases/${encodeURIComponent(ctx.query.get('id') || '')}`);
  const me = await api.me();
  const title = `Case of organisation ${c.organisation_id}`;
  const officer = me.roles.includes('enforcement_officer');
  const form = officer && c.allowed_actions.length ? h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Next step'),
    radios({ name: 'action', legend: 'What are you doing?', options: c.allowed_actions.map((a) => [a, ...(ACTIONS[a] || [a, null])]) }),
    textarea({ id: 'reason', label: 'Why', hint: 'The individual circumstances you considered. Recorded with your name and the time.' }),
    input({ id: 'reference', label: 'Reference (optional)', hint: 'For example the notice’s or the tribunal’s reference', width: 20 }),
    button('Record this step')) : null;
  ctx.show(title, h('a', { class: 'govuk-back-link', href: '/cases' }, 'Back to cases'),
    heading(title, 'l', 'Enforcement case'),
    summaryList([
      ['State', tag(STATES[c.state] || c.state, c.active ? 'blue' : 'grey')],
      ['Opened', formatDateTime(c.opened_at)],
      c.notice_issued_on ? ['Notice of intent issued', formatDate(c.notice_issued_on)] : null,
      c.representations_due ? ['Representations due by', formatDate(c.representations_due)] : null,
      c.penalty_pence !== null && c.penalty_pence !== undefined ? ['Penalty', pounds(c.penalty_pence)] : null,
    ].filter(Boolean)),
    table('Locations and the months they missed', ['Location', 'Months missed'], c.locations.map((l) => [l.location_id, l.months.map(monthName).join(', ')])),
    table('What happened, newest first', ['Step', 'Who', 'When', 'Why'], [...c.log].reverse().map((s) => [
      `${(ACTIONS[s.action] || [s.action])[0]}: ${STATES[s.to_state] || s.to_state}`, s.by, formatDateTime(s.at),
      [s.reason, s.details && s.details.reference ? ` (reference ${s.details.reference})` : '']])),
    form || (officer ? inset('This case is finished: no more steps.') : null));
  if (!form) return;
  submitting(form, async (values) => {
    const errors = [];
    if (!values.action) errors.push({ field: 'action', text: 'Select the step you are taking' });
    if (values.reason.trim().length < 3) errors.push({ field: 'reason', text: 'Enter why: the circumstances you considered' });
    if (errors.length) return showErrors(form, errors);
    try {
      const after = await api.post(`/enforcement/cases/${encodeURIComponent(c.case_id)}/steps`,
        { action: values.action, reason: values.reason.trim(), version: c.version, ...(values.reference.trim() ? { reference: values.reference.trim() } : {}) });
      ctx.navigate(window.location.pathname + window.location.search, { replace: true, message: { title: `Recorded: ${STATES[after.state] || after.state}` } });
    } catch (error) {
      if (error.status === 409) {
        const summary = showErrors(form, [{ field: null, text: error.message }]);
        summary.querySelector('.govuk-error-summary__body').append(p(link(window.location.pathname + window.location.search, 'Reload the case')));
        return;
      }
      showErrors(form, apiErrors(error, { reason: 'Why', reference: 'Reference', action: 'Step' }, 'reason'));
    }
  });
}
