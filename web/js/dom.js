// Building the page: every piece of text goes in as a text node (never innerHTML), so nothing the
// API returns can become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'value') el.value = value;
    else if (name === 'checked') el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export const heading = (text, size = 'l', caption = null) => h('h1', { class: `govuk-heading-${size}`, tabindex: '-1' },
  caption ? h('span', { class: `govuk-caption-${size}` }, caption) : null, text);
export const p = (...children) => h('p', { class: 'govuk-body' }, ...children);
export const link = (href, text, attrs = {}) => h('a', { class: 'govuk-link', href, ...attrs }, text);
export const button = (text, attrs = {}) => h('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button', ...attrs }, text);
export const secondary = (text, attrs = {}) => button(text, { class: 'govuk-button govuk-button--secondary', ...attrs });

export function summaryList(rows) {
  return h('dl', { class: 'govuk-summary-list' }, rows.map(([key, value, action]) => h('div', { class: 'govuk-summary-list__row' },
    h('dt', { class: 'govuk-summary-list__key' }, key),
    h('dd', { class: 'govuk-summary-list__value' }, value),
    action ? h('dd', { class: 'govuk-summary-list__actions' }, action) : null)));
}

export function table(caption, headings, rows, { numeric = [] } = {}) {
  return h('div', { class: 'app-table-wrapper', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', { class: 'govuk-table' },
      h('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, caption),
      h('thead', { class: 'govuk-table__head' }, h('tr', { class: 'govuk-table__row' },
        headings.map((text, i) => h('th', { scope: 'col', class: 'govuk-table__header' + (numeric.includes(i) ? ' govuk-table__header--numeric' : '') }, text)))),
      h('tbody', { class: 'govuk-table__body' }, rows.map((cells) => h('tr', { class: 'govuk-table__row' },
        cells.map((cell, i) => (i === 0
          ? h('th', { scope: 'row', class: 'govuk-table__header' }, cell)
          : h('td', { class: 'govuk-table__cell' + (numeric.includes(i) ? ' govuk-table__cell--numeric' : '') }, cell))))))));
}

export function tag(text, colour) {
  return h('strong', { class: 'govuk-tag' + (colour ? ` govuk-tag--${colour}` : '') }, text);
}

export function banner(title, text, { success = true } = {}) {
  return h('div', { class: 'govuk-notification-banner' + (success ? ' govuk-notification-banner--success' : ''),
    role: success ? 'alert' : 'region', 'aria-labelledby': 'banner-title', 'data-module': 'govuk-notification-banner' },
  h('div', { class: 'govuk-notification-banner__header' },
    h('h2', { class: 'govuk-notification-banner__title', id: 'banner-title' }, success ? 'Success' : 'Important')),
  h('div', { class: 'govuk-notification-banner__content' },
    h('p', { class: 'govuk-notification-banner__heading' }, title), text ? p(text) : null));
}

export function inset(...children) {
  return h('div', { class: 'govuk-inset-text' }, ...children);
}

const LONDON = 'Europe/London';
function parts(date, options) {
  return Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, ...options }).formatToParts(date).map((x) => [x.type, x.value]));
}
// GOV.UK style: "Tuesday 8 December 2026", "8 December 2026 at 10:04am" (London time).
export function formatDate(iso) {
  const d = parts(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return `${d.weekday} ${d.day} ${d.month} ${d.year}`;
}
export function formatDateTime(iso) {
  const d = parts(new Date(iso), { day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true });
  return `${d.day} ${d.month} ${d.year} at ${d.hour}:${d.minute}${(d.dayPeriod || '').toLowerCase().replace(/\s/g, '')}`;
}
export function monthName(period) {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
