// Journey 6, approvers (and the support team for organisations without one): access requests
// with the applicant and locations named, approve, reject with a reason; the organisation's users
// (deactivate, promote); locations with fewer than two users.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, table, tag, inset, formatDateTime } from '../dom.js';
import { textarea, submitting, showErrors, apiErrors } from '../forms.js';

// Location names: an approver's come with what they owe (one request); the support team asks
// each location's compliance (it names the location).
async function locationNames(ids, me) {
  const names = {};
  if (me.roles.includes('approver') || me.roles.includes('provider_user')) {
    try {
      for (const loc of (await api.get('/returns/owed')).locations) names[loc.location_id] = loc.name;
    } catch { /* names stay ids */ }
  }
  const missing = [...new Set(ids.filter((id) => id && !names[id]))].slice(0, 20);
  if (me.roles.includes('admin')) {
    await Promise.all(missing.map(async (id) => {
      try { names[id] = (await api.get(`/locations/${encodeURIComponent(id)}/compliance`)).name || undefined; } catch { /* stays an id */ }
    }));
  }
  return names;
}

export async function requests(ctx) {
  const me = await api.me();
  const { registrations } = await api.get('/registrations?status=pending');
  const names = await locationNames(registrations.flatMap((r) => r.location_ids), me);
  const isSupport = me.roles.includes('admin');
  const cards = registrations.map((r) => {
    const form = h('form', { novalidate: true }, h('div', { class: 'govuk-button-group' },
      button('Approve', { 'aria-label': `Approve ${r.full_name}` }),
      link(`/requests/${r.id}/reject`, 'Reject', { 'aria-label': `Reject ${r.full_name}` })));
    submitting(form, async () => {
      try {
        await api.post(`/registrations/${encodeURIComponent(r.id)}/approve`, {});
        ctx.navigate('/requests', { message: { title: `${r.full_name} can now use Care Tracker`, text: `We have emailed ${r.email} a temporary password.` } });
      } catch (error) {
        showErrors(form, [{ field: null, text: error.message }]);
      }
    });
    return h('div', { class: 'govuk-summary-card' },
      h('div', { class: 'govuk-summary-card__title-wrapper' }, h('h2', { class: 'govuk-summary-card__title' }, r.full_name)),
      h('div', { class: 'govuk-summary-card__content' },
        summaryList([
          ['Email address', r.email], ['Job title', r.job_title || 'Not given'], ['Phone', r.phone || 'Not given'],
          r.local_authorities.length ? ['Local authorities (commissioner)', r.local_authorities.join(', ')] : null,
          r.local_authorities.length ? null : ['Locations', r.all_locations ? 'Every location of the organisation'
            : h('ul', { class: 'govuk-list' }, r.location_ids.map((id) => h('li', {}, names[id] ? `${names[id]} (${id})` : id)))],
          ['Asked', formatDateTime(r.created_at)],
          ['Communications', r.comms_consent ? 'Agreed to news by email' : 'No news by email'],
        ].filter(Boolean)),
        form));
  });
  ctx.show('Access requests', heading('Access requests', 'l', isSupport ? 'Support team: organisations without an approver' : null),
    registrations.length ? p(`${registrations.length} waiting for a decision.`) : p('No requests are waiting for a decision.'),
    cards);
}

export async function reject(ctx) {
  const { registrations } = await api.get('/registrations?status=pending');
  const r = registrations.find((x) => x.id === ctx.params.id);
  if (!r) return ctx.show('Request not found', heading('Request not found'), p('Someone may have decided it already.'), p(link('/requests', 'Back to access requests')));
  const form = h('form', { novalidate: true },
    textarea({ id: 'reason', label: 'Why are you rejecting this request?', hint: `We email this to ${r.full_name}, so they can act on it.` }),
    h('div', { class: 'govuk-button-group' }, button('Reject request', { class: 'govuk-button govuk-button--warning' }), link('/requests', 'Cancel')));
  ctx.show(`Reject ${r.full_name}'s request`, h('a', { class: 'govuk-back-link', href: '/requests' }, 'Back'),
    heading(`Reject ${r.full_name}'s request`), form);
  submitting(form, async ({ reason }) => {
    if (reason.trim().length < 3) return showErrors(form, [{ field: 'reason', text: 'Enter the reason for rejecting the request' }]);
    try {
      await api.post(`/registrations/${encodeURIComponent(r.id)}/reject`, { reason: reason.trim() });
      ctx.navigate('/requests', { message: { title: `${r.full_name}'s request was rejected`, text: 'We have emailed them your reason.' } });
    } catch (error) {
      showErrors(form, apiErrors(error, { reason: 'Reason' }, 'reason'));
    }
  });
}

const ROLE_NAMES = { approver: 'Approver', provider_user: 'Provider user', admin: 'Support team' };

export async function users(ctx) {
  const me = await api.me();
  const [{ users: people }, thin] = await Promise.all([api.get('/users'), api.get('/locations/thinly-staffed')]);
  const names = await locationNames(thin.locations.map((l) => l.location_id), me);
  const action = (user, what, label, path, message) => {
    const form = h('form', { novalidate: true, class: 'govuk-!-display-inline' },
      h('button', { type: 'submit', class: `govuk-button govuk-button--${what === 'deactivate' ? 'warning' : 'secondary'} govuk-!-margin-bottom-1`, 'data-module': 'govuk-button' },
        label, h('span', { class: 'govuk-visually-hidden' }, ` ${user.full_name}`)));
    submitting(form, async () => {
      try {
        await api.post(path, {});
        ctx.navigate('/users', { message });
      } catch (error) {
        showErrors(form, [{ field: null, text: error.message }]);
      }
    });
    return form;
  };
  const rows = people.map((u) => [
    u.full_name,
    u.email,
    u.roles.map((r) => ROLE_NAMES[r] || r).join(', '),
    u.active ? tag('Active', 'green') : tag('Deactivated', 'grey'),
    u.user_id === me.user_id || !u.active ? '' : h('div', {},
      u.roles.includes('approver') ? null : action(u, 'promote', 'Make approver', `/users/${u.user_id}/promote`, { title: `${u.full_name} is now an approver` }),
      action(u, 'deactivate', 'Deactivate', `/users/${u.user_id}/deactivate`, { title: `${u.full_name}'s account is deactivated`, text: 'They can no longer sign in, and any session they had has ended.' })),
  ]);
  ctx.show('Users of your organisation', heading('Users of your organisation'),
    table('Everyone with an account', ['Name', 'Email address', 'Role', 'Status', 'Actions'], rows),
    h('h2', { class: 'govuk-heading-m' }, 'Locations with fewer than two users'),
    thin.locations.length ? [
      p('We recommend at least two people for each location, so returns are made during holidays and sickness.'),
      h('ul', { class: 'govuk-list govuk-list--bullet' }, thin.locations.map((loc) => h('li', {}, `${loc.name || names[loc.location_id] || loc.location_id}: ${loc.active_users} active user${loc.active_users === 1 ? '' : 's'}`)))]
      : p('Every location has at least two active users.'));
}
