// Journey 4, bulk update: one table of locations x fields for one care type, saved in one request
// (POST /returns/bulk); each row's result and errors are shown against the row.
import * as api from '../api.js';
import { h, heading, p, link, button, tag, inset, monthName } from '../dom.js';
import { radios, submitting, showErrors, clearErrors } from '../forms.js';
import { CARE_TYPE_NAMES, GROUPS, labels, figuresFrom } from './returns.js';

const MAX_ITEMS = 100;  // the API's limit per request

export async function bulk(ctx) {
  const owed = await api.get('/returns/owed');
  const period = owed.window.period;
  const offered = [...new Set(owed.locations.filter((l) => l.owes).flatMap((l) => l.care_types.map((c) => c.care_type)))];
  const careType = offered.includes(ctx.query.get('care_type')) ? ctx.query.get('care_type') : offered[0];
  if (!careType) return ctx.show('Update many returns', heading('Update many returns'), p('None of your locations owes a return this month.'));
  const names = labels(careType);
  const fields = Object.keys(names);
  const rows = owed.locations.filter((l) => l.owes).map((l) => ({ loc: l, ct: l.care_types.find((c) => c.care_type === careType) })).filter((r) => r.ct);
  const versions = Object.fromEntries(rows.map(({ loc, ct }) => [loc.location_id, ct.version]));
  const short = (name) => names[name].replace(/^Agency or bank /, 'Agency ').replace(/^Vacant beds /, 'Vacant ');
  const cell = (loc, name, i) => {
    const id = `r${i}-${name}`;
    const label = `${names[name]}, ${loc.name}`;
    if (name === 'accepting_new_packages') {
      return h('td', { class: 'govuk-table__cell' }, h('select', { class: 'govuk-select', id, name: id, 'aria-label': label },
        h('option', { value: '' }, 'Choose'), h('option', { value: 'yes' }, 'Yes'), h('option', { value: 'no' }, 'No')));
    }
    return h('td', { class: 'govuk-table__cell' }, h('input', { class: 'govuk-input govuk-input--width-3', id, name: id, type: 'text', inputmode: 'numeric', spellcheck: 'false', 'aria-label': label }));
  };
  const tableEl = h('div', { class: 'app-table-wrapper', tabindex: '0', role: 'region', 'aria-label': `${CARE_TYPE_NAMES[careType]} returns, one row per location` },
    h('table', { class: 'govuk-table app-bulk-table' },
      h('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, `${CARE_TYPE_NAMES[careType]} returns for ${monthName(period)}`),
      h('thead', { class: 'govuk-table__head' }, h('tr', { class: 'govuk-table__row' },
        h('th', { scope: 'col', class: 'govuk-table__header' }, 'Location'),
        fields.map((name) => h('th', { scope: 'col', class: 'govuk-table__header' }, short(name))),
        h('th', { scope: 'col', class: 'govuk-table__header' }, 'Result'))),
      h('tbody', { class: 'govuk-table__body' }, rows.map(({ loc, ct }, i) => h('tr', { class: 'govuk-table__row', id: `row-${i}`, 'data-location': loc.location_id },
        h('th', { scope: 'row', class: 'govuk-table__header' }, loc.name),
        fields.map((name) => cell(loc, name, i)),
        h('td', { class: 'govuk-table__cell', id: `r${i}-result`, 'aria-live': 'polite' }, ct.done ? tag('Done', 'green') : ct.saved ? tag('Saved outside the window', 'yellow') : 'Not started'))))));
  const status = h('p', { class: 'govuk-body', id: 'bulk-status', role: 'status' });
  const form = h('form', { novalidate: true }, tableEl, status, button('Save the filled-in rows'));
  const choose = offered.length > 1 ? h('form', { novalidate: true },
    radios({ name: 'care_type', legend: 'Which returns?', inline: true, options: offered.map((c) => [c, CARE_TYPE_NAMES[c]]), value: careType }),
    button('Show', { class: 'govuk-button govuk-button--secondary' })) : null;
  ctx.show('Update many returns', heading('Update many returns', 'l', monthName(period)),
    p(`One row per location. Fill in the rows you want to save; empty rows are left as they are. You can save up to ${MAX_ITEMS} rows at a time.`),
    inset('All figures are headcounts or whole numbers, 0 or more. Occupied plus vacant beds cannot be more than the maximum capacity.'),
    choose, form, p(link('/this-month', 'Back to this month')));
  if (choose) submitting(choose, ({ care_type: picked }) => ctx.navigate(`/bulk${api.q({ care_type: picked })}`));

  submitting(form, async (values) => {
    clearErrors(form);
    for (const el of form.querySelectorAll('.govuk-input--error, .govuk-select--error')) el.classList.remove('govuk-input--error', 'govuk-select--error');
    const items = [];
    const index = [];
    rows.forEach(({ loc }, i) => {
      const raw = Object.fromEntries(fields.map((name) => [name, values[`r${i}-${name}`] || '']));
      if (!Object.values(raw).some((v) => v.trim() !== '')) return;
      items.push({ location_id: loc.location_id, period, care_type: careType, ...(versions[loc.location_id] ? { version: versions[loc.location_id] } : {}), return: figuresFrom(raw, careType) });
      index.push(i);
    });
    if (!items.length) return showErrors(form, [{ field: null, text: 'Fill in at least one row' }]);
    if (items.length > MAX_ITEMS) return showErrors(form, [{ field: null, text: `Save at most ${MAX_ITEMS} rows at a time` }]);
    let answer;
    status.textContent = `Saving ${items.length} returns…`;
    try { answer = await api.post('/returns/bulk', { items }); } catch (error) { status.textContent = ''; return showErrors(form, [{ field: null, text: error.message }]); }
    status.textContent = `${answer.saved} saved, ${answer.failed} not saved.`;
    const problems = [];
    for (const result of answer.results) {
      const i = index[result.index];
      const name = rows[i].loc.name;
      const out = form.querySelector(`#r${i}-result`);
      if (result.status === 200) {
        versions[result.location_id] = result.saved.version;
        out.replaceChildren(tag(result.saved.in_window ? 'Saved' : 'Saved outside the window', result.saved.in_window ? 'green' : 'yellow'));
        continue;
      }
      const found = (result.error && result.error.details && Array.isArray(result.error.details.problems)) ? result.error.details.problems : [];
      const texts = found.length ? found.map((pr) => {
        const field = String(pr.field).split('.').pop();
        form.querySelector(`#r${i}-${CSS.escape(field)}`)?.classList.add(field === 'accepting_new_packages' ? 'govuk-select--error' : 'govuk-input--error');
        return `${names[field] || pr.field}: ${pr.problem}`;
      }) : [result.error ? (result.error.code === 'stale_version' ? 'Someone else changed this return: reload the page and try again.' : result.error.message) : `Not saved (${result.status})`];
      out.replaceChildren(h('p', { class: 'govuk-error-message' }, h('span', { class: 'govuk-visually-hidden' }, 'Error: '), 'Not saved'),
        h('ul', { class: 'govuk-list govuk-!-font-size-16' }, texts.map((t) => h('li', {}, t))));
      const first = found.length ? form.querySelector(`#r${i}-${CSS.escape(String(found[0].field).split('.').pop())}`) : form.querySelector(`#r${i}-${fields[0]}`);
      problems.push({ row: i, id: first ? first.id : `r${i}-${fields[0]}`, text: `${name}: ${texts.join('; ')}` });
    }
    const summaryText = `${answer.saved} saved, ${answer.failed} not saved`;
    if (problems.length) {
      const summary = showErrors(form, problems.map((pr) => ({ field: null, text: pr.text })));
      summary.querySelector('.govuk-error-summary__title').textContent = `There is a problem with ${problems.length} row${problems.length === 1 ? '' : 's'}`;
      const links = summary.querySelectorAll('li');
      problems.forEach((pr, n) => links[n].replaceChildren(h('a', { href: `#${pr.id}` }, pr.text)));
      summary.querySelector('.govuk-error-summary__body').prepend(p(summaryText + '. The rows that were saved are marked Saved.'));
    } else {
      const main = document.getElementById('main-content');
      document.getElementById('bulk-banner')?.remove();
      const bannerEl = h('div', { class: 'govuk-notification-banner govuk-notification-banner--success', role: 'alert', id: 'bulk-banner', tabindex: '-1', 'aria-labelledby': 'bulk-banner-title' },
        h('div', { class: 'govuk-notification-banner__header' }, h('h2', { class: 'govuk-notification-banner__title', id: 'bulk-banner-title' }, 'Success')),
        h('div', { class: 'govuk-notification-banner__content' }, h('p', { class: 'govuk-notification-banner__heading' }, `${answer.saved} return${answer.saved === 1 ? '' : 's'} saved`)));
      main.prepend(bannerEl);
      bannerEl.focus();
    }
  });
}
