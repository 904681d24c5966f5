// Journey 6, approvers (and the support team for organisations without one): access requests
// with the applicant and locations named, approve, reject with a reason; the organisation's users
// (deactivate, promote); locations with fewer than two users. The support team sees one organisation's
// users at a time, and resets the authenticator app of someone who lost their phone.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, table, tag, inset, formatDateTime } from '../dom.js';
import { input, textarea, submitting, showErrors, apiErrors } from '../forms.js';

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

const CQC_ID = /^1-[0-9]{1,15}$/;

function organisationForm(ctx, value) {
  const form = h('form', { novalidate: true, class: 'govuk-!-margin-bottom-6' },
    input({ id: 'organisation', label: 'Organisation\'s CQC provider ID', hint: 'The provider ID on the CQC register, for example 1-1000000002', width: 10, value, spellcheck: false }),
    secondary('Show users'));
  submitting(form, ({ organisation }) => {
    if (!CQC_ID.test(organisation.trim())) return showErrors(form, [{ field: 'organisation', text: 'Enter the provider ID as the CQC writes it, like 1-1000000002' }]);
    ctx.navigate(`/users${api.q({ organisation: organisation.trim() })}`);
  });
  return form;
}

export async function users(ctx) {
  const me = await api.me();
  const support = me.roles.includes('admin') && !me.roles.includes('approver');
  const organisation = support ? (ctx.query.get('organisation') || '').trim() : '';
  if (support && !CQC_ID.test(organisation)) {
    const form = organisationForm(ctx, organisation);
    ctx.show('Users of an organisation', heading('Users of an organisation', 'l', 'Support team'), form, resetsLink());
    if (organisation) showErrors(form, [{ field: 'organisation', text: 'Enter the provider ID as the CQC writes it, like 1-1000000002' }]);
    return;
  }
  const scope = api.q({ organisation_id: organisation });
  let people;
  let thin;
  try {
    [{ users: people }, thin] = await Promise.all([api.get(`/users${scope}`), api.get(`/locations/thinly-staffed${scope}`)]);
  } catch (error) {
    if (!support || (error.status !== 404 && error.status !== 400 && error.status !== 403)) throw error;
    const form = organisationForm(ctx, organisation);
    ctx.show('Users of an organisation', heading('Users of an organisation', 'l', 'Support team'), form, resetsLink());
    return showErrors(form, [{ field: 'organisation', text: error.message }]);
  }
  const here = `/users${api.q({ organisation })}`;
  const names = await locationNames(thin.locations.map((l) => l.location_id), me);
  const action = (user, what, label, path, message) => {
    const form = h('form', { novalidate: true, class: 'govuk-!-display-inline' },
      h('button', { type: 'submit', class: `govuk-button govuk-button--${what === 'deactivate' ? 'warning' : 'secondary'} govuk-!-margin-bottom-1`, 'data-module': 'govuk-button' },
        label, h('span', { class: 'govuk-visually-hidden' }, ` ${user.full_name}`)));
    submitting(form, async () => {
      try {
        await api.post(path, {});
        ctx.navigate(here, { message });
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
    u.mfa_enrolled ? 'On' : 'Off',
    u.user_id === me.user_id || !u.active ? '' : h('div', {},
      support && u.mfa_enrolled ? h('p', { class: 'govuk-body govuk-!-margin-bottom-2' },
        // aria-label, not a visually hidden span: an absolutely placed span inside the scrolling table escapes it
        link(`/users/${u.user_id}/reset-authenticator${api.q({ organisation })}`, 'Reset authenticator', { 'aria-label': `Reset authenticator of ${u.full_name}` })) : null,
      u.roles.includes('approver') ? null : action(u, 'promote', 'Make approver', `/users/${u.user_id}/promote`, { title: `${u.full_name} is now an approver` }),
      action(u, 'deactivate', 'Deactivate', `/users/${u.user_id}/deactivate`, { title: `${u.full_name}'s account is deactivated`, text: 'They can no longer sign in, and any session they had has ended.' })),
  ]);
  const title = support ? 'Users of an organisation' : 'Users of your organisation';
  ctx.show(title, heading(title, 'l', support ? 'Support team' : null),
    support ? [organisationForm(ctx, organisation), resetsLink()] : null,
    table('Everyone with an account', ['Name', 'Email address', 'Role', 'Status', 'Two-step sign-in', 'Actions'], rows),
    h('h2', { class: 'govuk-heading-m' }, 'Locations with fewer than two users'),
    thin.locations.length ? [
      p('We recommend at least two people for each location, so returns are made during holidays and sickness.'),
      h('ul', { class: 'govuk-list govuk-list--bullet' }, thin.locations.map((loc) => h('li', {}, `${loc.name || names[loc.location_id] || loc.location_id}: ${loc.active_users} active user${loc.active_users === 1 ? '' : 's'}`)))]
      : p('Every location has at least two active users.'));
}

const resetsLink = () => p(link('/authenticator-resets', 'Resets of two-step sign-in'), ': who was reset, by whom and why.');

// The support team's record of every authenticator reset, newest first, a page at a time.
export async function authenticatorResets(ctx) {
  const cursor = ctx.query.get('cursor');
  const answer = await api.get(`/mfa-resets${api.q({ limit: 25, cursor })}`);
  const rows = answer.resets.map((r) => [
    formatDateTime(r.at),
    r.full_name ? [r.full_name, h('br'), h('span', { class: 'govuk-hint' }, r.email)] : 'An account since deleted',
    r.reset_by_name || 'A support team account since deleted',
    r.reason,
  ]);
  const pages = (cursor || answer.next_cursor) ? h('nav', { class: 'govuk-pagination govuk-pagination--block', 'aria-label': 'Pages of resets' },
    cursor ? h('div', { class: 'govuk-pagination__prev' }, h('a', { class: 'govuk-link govuk-pagination__link', href: '/authenticator-resets', rel: 'prev' },
      h('span', { class: 'govuk-pagination__link-title' }, 'Newest resets'))) : null,
    answer.next_cursor ? h('div', { class: 'govuk-pagination__next' }, h('a', { class: 'govuk-link govuk-pagination__link', href: `/authenticator-resets${api.q({ cursor: answer.next_cursor })}`, rel: 'next' },
      h('span', { class: 'govuk-pagination__link-title' }, 'Older resets'))) : null) : null;
  ctx.show('Resets of two-step sign-in', h('a', { class: 'govuk-back-link', href: '/users' }, 'Back to users'),
    heading('Resets of two-step sign-in', 'l', 'Support team'),
    p('Each time the support team turned off someone\'s authenticator app, newest first.'),
    rows.length ? table('Resets', ['When', 'Whose app', 'Reset by', 'Why'], rows)
      : p(cursor ? 'There are no older resets.' : 'Nobody\'s authenticator app has been reset yet.'),
    pages);
}

// The support team turns off someone's authenticator app (a lost phone), saying why; they set up a
// new one at their next sign-in.
export async function resetAuthenticator(ctx) {
  const organisation = (ctx.query.get('organisation') || '').trim();
  const back = `/users${api.q({ organisation })}`;
  const { users: people } = await api.get(`/users${api.q({ organisation_id: organisation })}`);
  const u = people.find((x) => x.user_id === ctx.params.user_id);
  if (!u) return ctx.show('User not found', heading('User not found'), p(link(back, 'Back to the users')));
  const form = h('form', { novalidate: true },
    textarea({ id: 'reason', label: 'Why are you resetting it?', hint: 'For example: lost phone; identity checked by calling the registered manager on the number we hold. This is kept with your name.' }),
    h('div', { class: 'govuk-button-group' }, button('Reset authenticator', { class: 'govuk-button govuk-button--warning' }), link(back, 'Cancel')));
  ctx.show(`Reset ${u.full_name}'s authenticator app`, h('a', { class: 'govuk-back-link', href: back }, 'Back'),
    heading(`Reset ${u.full_name}'s authenticator app`, 'l', u.email),
    h('div', { class: 'govuk-warning-text' }, h('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
      h('strong', { class: 'govuk-warning-text__text' }, h('span', { class: 'govuk-visually-hidden' }, 'Warning'),
        'Check who is asking first: call them back on a phone number you already know. Anyone who resets it can sign in with the password alone.')),
    p('Their app stops working. At their next sign-in they set up a new one (their role needs one) or sign in with their password alone.'),
    form);
  submitting(form, async ({ reason }) => {
    if (reason.trim().length < 5) return showErrors(form, [{ field: 'reason', text: 'Enter why you are resetting it, in at least 5 characters' }]);
    try {
      await api.post(`/users/${encodeURIComponent(u.user_id)}/mfa/reset`, { reason: reason.trim() });
      ctx.navigate(back, { message: { title: `${u.full_name}'s authenticator app is reset`, text: 'They set up a new one when they next sign in.' } });
    } catch (error) {
      showErrors(form, apiErrors(error, { reason: 'Reason' }, 'reason'));
    }
  });
}
