// Form fields, and errors shown as GOV.UK's pattern: an error summary at the top (focused), an
// error message on each field, and "Error: " before the page title.
import { h, clear } from './dom.js';
import { ErrorSummary } from '/govuk/govuk-frontend.min.js';

export function input({ id, name = id, label, hint, type = 'text', value = '', autocomplete, inputmode, width, spellcheck, labelClass, attrs = {} }) {
  const described = [hint ? `${id}-hint` : null].filter(Boolean).join(' ') || null;
  return h('div', { class: 'govuk-form-group', 'data-field': name },
    h('label', { class: 'govuk-label' + (labelClass ? ` ${labelClass}` : ''), for: id }, label),
    hint ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
    h('input', { class: 'govuk-input' + (width ? ` govuk-input--width-${width}` : ''), id, name, type, value, autocomplete,
      inputmode, spellcheck: spellcheck === undefined ? null : String(spellcheck), 'aria-describedby': described, ...attrs }));
}

export function password({ id, name = id, label, hint, autocomplete = 'current-password', after = null }) {
  return h('div', { class: 'govuk-form-group govuk-password-input', 'data-module': 'govuk-password-input', 'data-field': name },
    h('label', { class: 'govuk-label', for: id }, label),
    hint ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
    h('div', { class: 'govuk-input__wrapper govuk-password-input__wrapper' },
      h('input', { class: 'govuk-input govuk-password-input__input govuk-js-password-input-input', id, name, type: 'password',
        spellcheck: 'false', autocomplete, autocapitalize: 'none', 'aria-describedby': [hint ? `${id}-hint` : null, after ? `${id}-status` : null].filter(Boolean).join(' ') || null }),
      h('button', { type: 'button', class: 'govuk-button govuk-button--secondary govuk-password-input__toggle govuk-js-password-input-toggle',
        'data-module': 'govuk-button', 'aria-controls': id, 'aria-label': 'Show password', hidden: true }, 'Show')),
    after);
}

export function textarea({ id, name = id, label, hint, rows = 4 }) {
  return h('div', { class: 'govuk-form-group', 'data-field': name },
    h('label', { class: 'govuk-label', for: id }, label),
    hint ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
    h('textarea', { class: 'govuk-textarea', id, name, rows, 'aria-describedby': hint ? `${id}-hint` : null }));
}

// conditional: { optionValue: content } revealed below that option while it is chosen (GOV.UK's
// conditional reveal; the content's fields are still sent when hidden, so read them only for that option).
// Revealed here rather than by GOV.UK's script: it sets aria-expanded on the radio, which axe rejects.
export function radios({ name, legend, hint, options, value, inline = false, legendClass = 'govuk-fieldset__legend--s', conditional = {} }) {
  const reveal = (event) => {
    for (const box of event.currentTarget.querySelectorAll(':scope > .govuk-radios__conditional')) {
      box.classList.toggle('govuk-radios__conditional--hidden', !box.previousElementSibling.querySelector('input').checked);
    }
  };
  return h('div', { class: 'govuk-form-group', 'data-field': name },
    h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': hint ? `${name}-hint` : null },
      h('legend', { class: `govuk-fieldset__legend ${legendClass}` }, legend),
      hint ? h('div', { class: 'govuk-hint', id: `${name}-hint` }, hint) : null,
      h('div', { class: 'govuk-radios' + (inline ? ' govuk-radios--inline' : ''),
        'data-module': 'govuk-radios', onchange: Object.keys(conditional).length ? reveal : null },
        options.map(([optionValue, text, optionHint], i) => {
          const id = i ? `${name}-${i}` : name;
          const checked = value !== undefined && String(value) === String(optionValue);
          const content = conditional[optionValue];
          return [h('div', { class: 'govuk-radios__item' },
            h('input', { class: 'govuk-radios__input', id, name, type: 'radio', value: optionValue, checked,
              'aria-describedby': optionHint ? `${name}-${i}-hint` : null }),
            h('label', { class: 'govuk-label govuk-radios__label', for: id }, text),
            optionHint ? h('div', { class: 'govuk-hint govuk-radios__hint', id: `${name}-${i}-hint` }, optionHint) : null),
          content ? h('div', { class: 'govuk-radios__conditional' + (checked ? '' : ' govuk-radios__conditional--hidden'), id: `conditional-${id}` }, content) : null];
        }))));
}

export function checkboxes({ name, legend, hint, options, legendClass = 'govuk-fieldset__legend--s' }) {
  return h('div', { class: 'govuk-form-group', 'data-field': name },
    h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': hint ? `${name}-hint` : null },
      h('legend', { class: `govuk-fieldset__legend ${legendClass}` }, legend),
      hint ? h('div', { class: 'govuk-hint', id: `${name}-hint` }, hint) : null,
      h('div', { class: 'govuk-checkboxes', 'data-module': 'govuk-checkboxes' },
        options.map(([optionValue, text, optionHint, checked], i) => h('div', { class: 'govuk-checkboxes__item' },
          h('input', { class: 'govuk-checkboxes__input', id: i ? `${name}-${i}` : name, name, type: 'checkbox', value: optionValue,
            checked, 'aria-describedby': optionHint ? `${name}-${i}-hint` : null }),
          h('label', { class: 'govuk-label govuk-checkboxes__label', for: i ? `${name}-${i}` : name }, text),
          optionHint ? h('div', { class: 'govuk-hint govuk-checkboxes__hint', id: `${name}-${i}-hint` }, optionHint) : null)))));
}

// GOV.UK's date input (day, month, year); `value` is 'YYYY-MM-DD'.
export function dateInput(id, legend, { hint, value, legendClass = 'govuk-fieldset__legend--s', asHeading = false } = {}) {
  const [y, m, d] = value ? value.split('-').map(Number) : [];
  const part = (name, label, width, v) => h('div', { class: 'govuk-date-input__item' }, h('div', { class: 'govuk-form-group' },
    h('label', { class: 'govuk-label govuk-date-input__label', for: `${id}-${name}` }, label),
    h('input', { class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: `${id}-${name}`, name: `${id}-${name}`,
      type: 'text', inputmode: 'numeric', spellcheck: 'false', value: v ? String(v) : '' })));
  return h('div', { class: 'govuk-form-group', 'data-field': id },
    h('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': hint ? `${id}-hint` : null },
      h('legend', { class: `govuk-fieldset__legend ${asHeading ? 'govuk-fieldset__legend--l' : legendClass}` },
        asHeading ? h('h1', { class: 'govuk-fieldset__heading', tabindex: '-1' }, legend) : legend),
      hint ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
      h('div', { class: 'govuk-date-input', id }, part('day', 'Day', 2, d), part('month', 'Month', 2, m), part('year', 'Year', 4, y))));
}

// 'YYYY-MM-DD', '' when all three are empty, or null when it is not a real date.
export function readDate(values, id) {
  const raw = ['day', 'month', 'year'].map((k) => (values[`${id}-${k}`] || '').trim());
  if (raw.every((x) => x === '')) return '';
  const [d, m, y] = raw.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!(y >= 1900 && y <= 2200 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d)) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function fieldset(legend, children, { legendClass = 'govuk-fieldset__legend--m', hint } = {}) {
  return h('fieldset', { class: 'govuk-fieldset' },
    h('legend', { class: `govuk-fieldset__legend ${legendClass}` }, h('h2', { class: 'govuk-fieldset__heading' }, legend)),
    hint ? h('div', { class: 'govuk-hint' }, hint) : null, children);
}

export function values(form) {
  const data = new FormData(form);
  const out = {};
  for (const [key, value] of data.entries()) {
    if (key in out) out[key] = [].concat(out[key], value);
    else out[key] = typeof value === 'string' ? value : '';
  }
  return out;
}

// errors: [{ field: name or null, text }]. The summary goes at the top of <main>, above the heading.
export function showErrors(form, errors) {
  clearErrors(form);
  const main = document.getElementById('main-content');
  const items = errors.map(({ field, text }) => {
    const target = field ? firstControl(form, field) : null;
    if (target) markField(form, field, text);
    return h('li', {}, target ? h('a', { href: `#${target.id}` }, text) : text);
  });
  const summary = h('div', { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary', id: 'error-summary' },
    h('div', { role: 'alert' },
      h('h2', { class: 'govuk-error-summary__title' }, 'There is a problem'),
      h('div', { class: 'govuk-error-summary__body' }, h('ul', { class: 'govuk-list govuk-error-summary__list' }, items))));
  main.prepend(summary);
  if (!document.title.startsWith('Error: ')) document.title = `Error: ${document.title}`;
  try { new ErrorSummary(summary); } catch { summary.setAttribute('tabindex', '-1'); summary.focus(); }  // focuses itself
  return summary;
}

export function clearErrors(form) {
  document.getElementById('error-summary')?.remove();
  document.title = document.title.replace(/^Error: /, '');
  for (const group of form.querySelectorAll('.govuk-form-group--error')) group.classList.remove('govuk-form-group--error');
  for (const message of form.querySelectorAll('.govuk-error-message')) message.remove();
  for (const control of form.querySelectorAll('.govuk-input--error, .govuk-textarea--error')) control.classList.remove('govuk-input--error', 'govuk-textarea--error');
  for (const control of form.querySelectorAll('[data-error-described]')) {
    control.setAttribute('aria-describedby', control.getAttribute('aria-describedby').replace(/\s*\S+-error$/, '').trim());
    if (!control.getAttribute('aria-describedby')) control.removeAttribute('aria-describedby');
    control.removeAttribute('data-error-described');
  }
}

function group(form, field) {
  return form.querySelector(`[data-field="${CSS.escape(field)}"]`);
}

function firstControl(form, field) {
  const g = group(form, field);
  return g ? g.querySelector('input, textarea, select') : null;
}

function markField(form, field, text) {
  const g = group(form, field);
  if (!g || g.classList.contains('govuk-form-group--error')) return;
  g.classList.add('govuk-form-group--error');
  const control = g.querySelector('input, textarea, select');
  const id = `${control.id}-error`;
  const message = h('p', { class: 'govuk-error-message', id }, h('span', { class: 'govuk-visually-hidden' }, 'Error: '), text);
  const anchor = g.querySelector('.govuk-hint') || g.querySelector('legend') || g.querySelector('label');
  const fieldsetEl = g.querySelector('fieldset');
  if (fieldsetEl && anchor && anchor.tagName === 'LEGEND') anchor.after(message);
  else if (anchor) anchor.after(message);
  else g.prepend(message);
  if (control.classList.contains('govuk-input')) control.classList.add('govuk-input--error');
  if (control.classList.contains('govuk-textarea')) control.classList.add('govuk-textarea--error');
  const target = fieldsetEl || control;
  target.setAttribute('aria-describedby', `${target.getAttribute('aria-describedby') || ''} ${id}`.trim());
  target.setAttribute('data-error-described', '');
}

// An API error as summary items: field problems against their fields (labels from `labels`), else its message.
export function apiErrors(error, labels = {}, fallbackField = null) {
  const problems = error.details && Array.isArray(error.details.problems) ? error.details.problems : [];
  const mapped = problems.filter((p) => p && typeof p === 'object' && p.field).map((p) => {
    const field = String(p.field).split('.').pop();
    return { field: field in labels ? field : fallbackField, text: field in labels ? `${labels[field]}: ${p.problem}` : `${p.field}: ${p.problem}` };
  });
  if (mapped.length) return mapped;
  return [{ field: fallbackField, text: error.message }];
}

export function busy(form, on) {
  for (const b of form.querySelectorAll('button[type="submit"]')) {
    if (on) b.setAttribute('aria-disabled', 'true'); else b.removeAttribute('aria-disabled');
  }
}

export function submitting(form, handler) {
  let running = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (running) return;
    running = true;
    busy(form, true);
    try { await handler(values(form), event.submitter || null); } finally { running = false; busy(form, false); }
  });
  return form;
}

export { clear };
