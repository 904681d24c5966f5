// Journey 6: "download my data" for everyone, and for an employer the audit pack of a date range.
// Each file is made while the person waits: the page says so (a live region), then gives the link.
// The audit pack is made in the background (it can take minutes for many PAs): the page asks for it,
// then asks how it is going every few seconds, saying so in the live region, until it is ready or failed.
import * as api from '../api.js';
import { h, heading, p, button, formatDate, formatDateTime } from '../dom.js';
import { fieldset, dateInput, readDate, submitting, showErrors, clearErrors, apiErrors } from '../forms.js';

function making(result, what, howLong = 'This can take a minute.') {
  result.replaceChildren(h('div', { role: 'status' },
    h('p', { class: 'govuk-body govuk-!-font-weight-bold' }, `We are making ${what}.`),
    p(`${howLong} Stay on this page: the link to download it appears here.`)));
}

const POLL_MS = 2500;
const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function stillMaking(result, seconds) {
  // Said in steps of 10 seconds, so a screen reader is not interrupted at every check.
  const shown = Math.floor(seconds / 10) * 10;
  const text = shown < 10 ? 'Started. Checking every few seconds.' : `Still making it: ${shown} seconds so far.`;
  let line = result.querySelector('#audit-pack-progress');
  if (!line) {
    line = h('p', { class: 'govuk-body', id: 'audit-pack-progress' });
    result.querySelector('[role="status"]').append(line);
  }
  if (line.textContent !== text) line.textContent = text;
}

// Polls the pack until it is no longer being made, or the person has left the page (null).
async function finished(result, asked) {
  const started = Date.now();
  let pack = asked;
  while (pack.status === 'making') {
    stillMaking(result, (Date.now() - started) / 1000);
    await wait(POLL_MS);
    if (!result.isConnected) return null;
    pack = await api.get(`/employer/audit-pack/${encodeURIComponent(asked.pack_id)}`);
  }
  return pack;
}

function ready(result, made, text, filename) {
  result.replaceChildren(h('div', { class: 'govuk-panel govuk-panel--confirmation govuk-!-text-align-left' },
    h('h2', { class: 'govuk-panel__title govuk-!-font-size-27' }, 'Your file is ready'),
    h('div', { class: 'govuk-panel__body govuk-!-font-size-19' }, `The link works until ${formatDateTime(made.expires_at)}.`)),
  p(h('a', { class: 'govuk-link', href: made.download_url, download: filename, id: `${filename.split('.')[0]}-link` }, text)));
  result.querySelector('a').focus();
}

export default async function yourData(ctx) {
  const me = await api.me();
  const isEmployer = me.roles.includes('employer');
  const mine = h('form', { novalidate: true },
    p('A copy of your account and of what you wrote: your feedback with the answers, and your suggestions. It is a CSV file, which opens in a spreadsheet.'),
    button('Make my file'));
  const mineResult = h('div', { 'aria-live': 'polite', id: 'my-data-result' });
  const sections = [h('h2', { class: 'govuk-heading-m' }, 'Download my data'), mine, mineResult];
  let pack = null;
  const packResult = h('div', { 'aria-live': 'polite', id: 'audit-pack-result' });
  if (isEmployer) {
    pack = h('form', { novalidate: true },
      fieldset('Audit pack', [
        h('div', { class: 'govuk-hint' }, 'For your council or an auditor: timesheets with who submitted and approved them, hours against funded hours, holiday, your PAs and working-time warnings, as CSV files in one zip file.'),
        dateInput('from', 'From', { hint: 'For example, 1 4 2026' }),
        dateInput('to', 'To', { hint: 'At most 800 days after the first day' })]),
      button('Make the audit pack'));
    sections.push(pack, packResult);
  }
  ctx.show('Your data', heading('Your data'), sections);
  submitting(mine, async () => {
    clearErrors(mine);
    making(mineResult, 'your file');
    try {
      ready(mineResult, await api.post('/exports', { kind: 'my_data' }), 'Download my data (CSV)', 'my-data.csv');
    } catch (error) {
      mineResult.replaceChildren();
      showErrors(mine, [{ field: null, text: error.message }]);
    }
  });
  if (pack) {
    submitting(pack, async (values) => {
      const from = readDate(values, 'from');
      const to = readDate(values, 'to');
      const errors = [];
      if (!from) errors.push({ field: 'from', text: 'Enter the first day as a real date, for example 1 4 2026' });
      if (!to) errors.push({ field: 'to', text: 'Enter the last day as a real date, for example 31 3 2027' });
      if (from && to && to < from) errors.push({ field: 'to', text: 'The last day must be the same as or after the first day' });
      if (errors.length) return showErrors(pack, errors);
      clearErrors(pack);
      making(packResult, 'the audit pack', 'For a long range or many PAs this can take a few minutes.');
      try {
        const made = await finished(packResult, await api.post('/employer/audit-pack', { from, to }));
        if (!made) return;
        if (made.status === 'failed') {
          packResult.replaceChildren();
          return showErrors(pack, [{ field: null, text: `The audit pack could not be made. ${made.message}` }]);
        }
        ready(packResult, made, `Download the audit pack, ${formatDate(from)} to ${formatDate(to)} (zip)`, 'audit-pack.zip');
      } catch (error) {
        packResult.replaceChildren();
        showErrors(pack, apiErrors(error, { from: 'From', to: 'To' }, 'from'));
      }
    });
  }
}
