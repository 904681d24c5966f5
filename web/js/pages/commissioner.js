// Commissioners (RULES 1.5a, issue 16): care homes in their areas with vacant beds (filters, nearest
// first from a postcode), every location of their areas with its latest returns, and the areas'
// completeness per window with the locations that missed; each with its CSV. Read-only pages:
// nothing here writes, and the API shows no provider user's name, email or phone.
import * as api from '../api.js';
import { h, heading, p, link, secondary, summaryList, table, tag, inset, formatDateTime, monthName } from '../dom.js';
import { input, radios, submitting, showErrors } from '../forms.js';
import { CARE_TYPE_NAMES, labels } from './returns.js';
import { download } from './support.js';

const CARE = [['any', 'With or without nursing'], ['nursing', 'With nursing'], ['no_nursing', 'Without nursing']];

function csvButton(text, path, filename) {
  return h('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', onclick: () => download(path, filename) }, text);
}

// How old the figures are, and a flag when they were saved before the latest window opened.
function age(row) {
  return h('span', {}, row.age.charAt(0).toUpperCase() + row.age.slice(1), ` (${monthName(row.period)})`,
    row.out_of_date ? [' ', tag('Old figures', 'yellow')] : null);
}

const OLD_FIGURES = 'Old figures: saved before the latest monthly window opened, so they may no longer be right. Check with the home.';

function areaChoice(me, chosen) {
  if ((me.local_authorities || []).length < 2) return null;
  return radios({ name: 'local_authority', legend: 'Area', value: chosen || '', inline: false,
    options: [['', 'All my areas'], ...me.local_authorities.map((a) => [a, a])] });
}

export async function vacancies(ctx) {
  const me = await api.me();
  const query = { care: ctx.query.get('care') || 'any', min_vacant: ctx.query.get('min_vacant') || '1',
    postcode: ctx.query.get('postcode') || '', local_authority: ctx.query.get('local_authority') || '' };
  const form = h('form', { novalidate: true, role: 'search', class: 'govuk-!-margin-bottom-6' },
    radios({ name: 'care', legend: 'Type of care home', options: CARE, value: query.care }),
    input({ id: 'min_vacant', label: 'Vacant beds at least', hint: 'Beds accepting admissions now, for example 2', width: 3, inputmode: 'numeric', value: query.min_vacant, spellcheck: false }),
    input({ id: 'postcode', label: 'Nearest first from this postcode (optional)', hint: 'For example the hospital or the person\'s home: LS6 2AB', width: 10, autocomplete: 'postal-code', value: query.postcode, spellcheck: false }),
    areaChoice(me, query.local_authority),
    secondary('Find care homes'));
  let found = null;
  let problem = null;
  try {
    found = await api.get(`/commissioner/vacancies${api.q(query)}`);
  } catch (error) {
    if (error.status !== 400 && error.status !== 403 && error.status !== 404) throw error;
    problem = error;
  }
  const search = api.q({ ...query, format: 'csv' });
  const order = !found ? null : found.sorted_by === 'distance' ? `Nearest first from ${query.postcode.toUpperCase()}.`
    : query.postcode ? `No CQC location is registered at ${query.postcode.toUpperCase()}, so we cannot place it: the homes are in name order.`
      : 'In name order. Give a postcode to see the nearest first.';
  const homes = found ? found.homes : [];
  ctx.show('Care homes with vacant beds', heading('Care homes with vacant beds', 'l', (me.local_authorities || []).join(', ')),
    p('From each home\'s latest return: beds that are empty and accepting admissions now.'),
    form,
    found ? [
      h('h2', { class: 'govuk-heading-m', id: 'results' }, homes.length === 1 ? '1 care home' : `${homes.length} care homes`),
      p(order),
      homes.some((x) => x.out_of_date) ? inset(OLD_FIGURES) : null,
      homes.length ? table('Care homes with vacant beds accepting admissions', ['Care home', 'Vacant beds', 'Nursing', 'Distance', 'Figures', 'Postcode'],
        homes.map((x) => [link(`/area/${x.location_id}`, x.name || x.location_id), String(x.beds_vacant_accepting),
          x.nursing ? 'With nursing' : 'Without nursing', x.distance_km === null ? 'Not known' : `${x.distance_km.toFixed(1)} km`,
          age(x), x.postcode || '']), { numeric: [1] })
        : p('No care home in your areas has that many vacant beds in its latest return.'),
      csvButton('Download these care homes (CSV)', `/commissioner/vacancies${search}`, 'vacancies.csv'),
    ] : null);
  if (problem) showErrors(form, [{ field: query.postcode ? 'postcode' : null, text: problem.message }]);
  submitting(form, (values) => {
    const min = (values.min_vacant || '').trim();
    if (!/^\d{1,4}$/.test(min) || Number(min) < 1) return showErrors(form, [{ field: 'min_vacant', text: 'Enter the number of vacant beds as a whole number, 1 or more' }]);
    ctx.navigate(`/vacancies${api.q({ care: values.care === 'any' ? '' : values.care, min_vacant: min === '1' ? '' : min,
      postcode: (values.postcode || '').trim(), local_authority: values.local_authority })}`);
  });
}

function latestText(loc) {
  if (!loc.latest_returns.length) return 'No return yet';
  return loc.latest_returns.map((r) => `${CARE_TYPE_NAMES[r.care_type] || r.care_type}: ${r.age}${r.out_of_date ? ' (old figures)' : ''}`).join('; ');
}

export async function area(ctx) {
  const me = await api.me();
  const chosen = ctx.query.get('local_authority') || '';
  const answer = await api.get(`/commissioner/locations${api.q({ local_authority: chosen })}`);
  const filter = areaChoice(me, chosen);
  const form = filter ? h('form', { novalidate: true, class: 'govuk-!-margin-bottom-6' }, filter, secondary('Show')) : null;
  const rows = answer.locations.map((loc) => [link(`/area/${loc.location_id}`, loc.name || loc.location_id),
    (loc.care_types || []).map((c) => CARE_TYPE_NAMES[c] || c).join(', ') || 'None',
    loc.local_authority || '', latestText(loc),
    loc.latest_returns.some((r) => r.out_of_date) ? tag('Old figures', 'yellow') : loc.latest_returns.length ? tag('Up to date', 'green') : tag('No return', 'grey')]);
  ctx.show('Locations in your areas', heading('Locations in your areas', 'l', answer.local_authorities.join(', ')),
    p('Every location registered with the CQC in your areas, with when its latest return was saved.'),
    form,
    answer.locations.length ? table(`${answer.locations.length} locations`, ['Location', 'Care types', 'Area', 'Latest returns', 'Status'], rows)
      : p('No locations are registered in your areas.'),
    csvButton('Download these locations (CSV)', `/commissioner/locations${api.q({ local_authority: chosen, format: 'csv' })}`, 'locations.csv'));
  if (form) submitting(form, (values) => ctx.navigate(`/area${api.q({ local_authority: values.local_authority })}`));
}

export async function location(ctx) {
  let loc;
  try {
    loc = await api.get(`/commissioner/locations/${encodeURIComponent(ctx.params.location_id)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    return ctx.show('Location not found', heading('Location not found'), p(error.message), p(link('/area', 'Back to the locations in your areas')));
  }
  const returns = loc.latest_returns.map((r) => {
    const names = labels(r.care_type);
    const figures = r.nil_return ? [['Figures', 'Nil return: nothing to report that month']]
      : Object.entries(r.figures || {}).filter(([k]) => k !== 'version').map(([k, v]) => [names[k] || k, typeof v === 'boolean' ? (v ? 'Yes' : 'No') : String(v)]);
    return [h('h2', { class: 'govuk-heading-m' }, `${CARE_TYPE_NAMES[r.care_type] || r.care_type} return for ${monthName(r.period)}`),
      r.out_of_date ? inset(OLD_FIGURES) : null,
      summaryList([['Saved', `${formatDateTime(r.saved_at)} (${r.age})`], ...figures])];
  });
  ctx.show(loc.name || loc.location_id, h('a', { class: 'govuk-back-link', href: '/area' }, 'Back'),
    heading(loc.name || loc.location_id, 'l', loc.local_authority),
    summaryList([['Provider', loc.provider_name || 'Not known'], ['Postcode', loc.postcode || 'Not known'], ['CQC location ID', loc.location_id],
      ['Care types', (loc.care_types || []).map((c) => CARE_TYPE_NAMES[c] || c).join(', ') || 'None'],
      loc.care_types.includes('care_home') ? ['Nursing', loc.nursing ? 'With nursing' : 'Without nursing'] : null].filter(Boolean)),
    returns.length ? returns : p('This location has not saved a return yet.'));
}

function previousMonth() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const rate = (g) => (g.completion_rate === null ? 'Nothing expected' : `${Math.round(g.completion_rate * 1000) / 10}%`);

export async function completeness(ctx) {
  const period = ctx.query.get('period') || previousMonth();
  const form = h('form', { novalidate: true, class: 'govuk-!-margin-bottom-6' },
    input({ id: 'period', label: 'Month', hint: 'As year and month, for example 2026-11', width: 10, value: period, spellcheck: false }),
    secondary('Show'));
  let report = null;
  let problem = null;
  try { report = await api.get(`/commissioner/completeness${api.q({ period })}`); } catch (error) {
    if (error.status !== 404 && error.status !== 400) throw error;
    problem = error;
  }
  const title = report ? `Completeness for ${monthName(report.period)}` : 'Completeness';
  ctx.show(title, heading(title, 'l', report ? report.local_authorities.join(', ') : null),
    p('How many locations in your areas made the month\'s returns in its window, and which missed.'),
    form,
    problem ? inset(problem.message) : null,
    report ? [
      report.figures.length ? table('By area', ['Area', 'Expected', 'Completed', 'Missed', 'Owed nothing', 'Completion'],
        report.figures.map((g) => [g.name, String(g.expected), String(g.completed), String(g.missed), String(g.not_due), rate(g)]), { numeric: [1, 2, 3, 4, 5] })
        : inset('There are no figures for your areas for this window yet.'),
      h('h2', { class: 'govuk-heading-m' }, 'Locations that missed the window'),
      report.missed.length ? table(`${report.missed.length} locations missed`, ['Location', 'Area', 'Returns owed'],
        report.missed.map((m) => [link(`/area/${m.location_id}`, m.name || m.location_id), m.local_authority,
          m.care_types.map((c) => CARE_TYPE_NAMES[c] || c).join(', ')]))
        : p('No location in your areas missed this window.'),
      csvButton('Download completeness (CSV)', `/commissioner/completeness${api.q({ period: report.period, format: 'csv' })}`, `completeness-${report.period}.csv`),
    ] : null);
  submitting(form, ({ period: chosen }) => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(chosen.trim())) return showErrors(form, [{ field: 'period', text: 'Enter the month as year and month, like 2026-11' }]);
    ctx.navigate(`/completeness?period=${chosen.trim()}`);
  });
}
