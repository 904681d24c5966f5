// Journey 8 (RULES 2.7): feedback to the support team and its answers; suggestions, most votes
// first, with voting; the support team's inbox with the 48-hour clock, and its work on suggestions
// (status with a comment, merging a duplicate, hiding), with the list of those it removed.
import * as api from '../api.js';
import { h, heading, p, link, button, secondary, summaryList, tag, inset, formatDateTime } from '../dom.js';
import { input, textarea, radios, submitting, showErrors, apiErrors } from '../forms.js';

const CATEGORIES = [['something_wrong', 'Something is wrong'], ['question', 'A question'], ['other', 'Something else']];
const CATEGORY = Object.fromEntries(CATEGORIES);
const FEEDBACK_STATUS = { open: ['Waiting for an answer', 'yellow'], answered: ['Answered', 'green'], closed: ['Closed', 'grey'] };
const STATUSES = [['open', 'Open'], ['planned', 'Planned'], ['in_progress', 'In progress'], ['done', 'Done'], ['declined', 'Declined']];
const STATUS = Object.fromEntries(STATUSES);
const STATUS_COLOUR = { open: 'blue', planned: 'purple', in_progress: 'yellow', done: 'green', declined: 'grey' };
const paragraphs = (text) => text.split(/\n+/).filter(Boolean).map((line) => p(line));
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function card(title, children, { level = 'h3', actions = null } = {}) {
  return h('div', { class: 'govuk-summary-card' },
    h('div', { class: 'govuk-summary-card__title-wrapper' }, h(level, { class: 'govuk-summary-card__title' }, title), actions),
    h('div', { class: 'govuk-summary-card__content' }, children));
}

// Send feedback, and read my feedback with the team's answers.
export async function feedback(ctx) {
  const { feedback: mine } = await api.get('/feedback/mine');
  const form = h('form', { novalidate: true },
    radios({ name: 'category', legend: 'What is it about?', options: CATEGORIES }),
    textarea({ id: 'text', label: 'Tell us more', hint: 'What happened, or your question. Do not include anyone\'s health details. Up to 4,000 characters.', rows: 6 }),
    input({ id: 'about', label: 'Which page is it about? (optional)', hint: 'For example, Rota', width: 20 }),
    button('Send feedback'));
  ctx.show('Feedback', heading('Feedback'),
    p('Tell the support team what does not work or ask them a question. Only you and the team see it. We answer within 48 hours and email you when we do.'),
    p('To suggest a new feature that others can vote for, ', link('/suggestions', 'see the suggestions'), '.'),
    form,
    h('h2', { class: 'govuk-heading-m' }, 'Your feedback'),
    mine.length ? mine.map((f) => card(`${CATEGORY[f.category] || f.category}, ${formatDateTime(f.created_at)}`, [
      summaryList([['Status', tag(...FEEDBACK_STATUS[f.status])], f.about ? ['About', f.about] : null].filter(Boolean)),
      paragraphs(f.text),
      f.answers.map((a) => inset(h('p', { class: 'govuk-body govuk-!-font-weight-bold' }, `The support team answered on ${formatDateTime(a.at)}`), paragraphs(a.text))),
    ])) : p('You have not sent any feedback yet.'));
  submitting(form, async (values) => {
    const errors = [];
    if (!values.category) errors.push({ field: 'category', text: 'Select what it is about' });
    if (values.text.trim().length < 3) errors.push({ field: 'text', text: 'Tell us more, in at least 3 characters' });
    if (errors.length) return showErrors(form, errors);
    try {
      await api.post('/feedback', { category: values.category, text: values.text.trim(), about: values.about.trim() || null });
      ctx.navigate('/feedback', { message: { title: 'Your feedback is sent', text: 'The support team answers within 48 hours. We will email you.' } });
    } catch (error) {
      showErrors(form, apiErrors(error, { category: 'What it is about', text: 'Tell us more', about: 'Page' }, 'text'));
    }
  });
}

function suggestionCard(ctx, s, me, here) {
  const isSupport = me.roles.includes('admin');
  let action = null;
  if (!isSupport) {
    const form = h('form', { novalidate: true },
      s.voted ? secondary('Withdraw my vote', { 'aria-label': `Withdraw my vote for ${s.title}` })
        : button('Vote for this', { 'aria-label': `Vote for ${s.title}` }));
    submitting(form, async () => {
      try {
        if (s.voted) await api.del(`/suggestions/${encodeURIComponent(s.id)}/vote`);
        else await api.put(`/suggestions/${encodeURIComponent(s.id)}/vote`);
        ctx.navigate(here, { replace: true, message: { title: s.voted ? `Your vote for "${s.title}" is withdrawn` : `You voted for "${s.title}"` } });
      } catch (error) {
        showErrors(form, [{ field: null, text: error.message }]);
      }
    });
    action = form;
  }
  return card(s.title, [
    summaryList([
      ['Votes', plural(s.votes, 'vote') + (s.voted ? ' (including yours)' : '')],
      ['Status', tag(STATUS[s.status], STATUS_COLOUR[s.status])],
      s.team_comment ? ['The team says', s.team_comment] : null,
      ['Suggested by', `${s.author_name}, ${formatDateTime(s.created_at)}`],
    ].filter(Boolean)),
    paragraphs(s.description),
    action,
  ], { actions: isSupport ? h('ul', { class: 'govuk-summary-card__actions' }, h('li', { class: 'govuk-summary-card__action' },
    link(`/suggestions/${encodeURIComponent(s.id)}/manage`, 'Manage', { 'aria-label': `Manage ${s.title}` }))) : null });
}

// Everyone's suggestions, most votes first (?order=newest), 20 a page (?page= the next one).
export async function suggestions(ctx) {
  const me = await api.me();
  const order = ctx.query.get('order') === 'newest' ? 'newest' : 'votes';
  const answer = await api.get('/suggestions' + api.q({ order, page: ctx.query.get('page') }));
  const here = '/suggestions' + api.q({ order: order === 'newest' ? 'newest' : null, page: ctx.query.get('page') });
  const isSupport = me.roles.includes('admin');
  ctx.show('Suggestions', heading('Suggestions'),
    p('Ideas for Care Tracker from the people who use it. Vote for the ones you want: the team works on the most popular first.'),
    isSupport ? p(link('/suggestions/removed', 'Suggestions the team hid or merged')) : p(h('a', { class: 'govuk-button', 'data-module': 'govuk-button', role: 'button', draggable: 'false', href: '/suggestions/new' }, 'Suggest a feature')),
    h('nav', { 'aria-label': 'Order of suggestions' }, p('Showing ', h('strong', {}, order === 'votes' ? 'most votes first' : 'newest first'), '. ',
      order === 'votes' ? link('/suggestions?order=newest', 'Show newest first') : link('/suggestions', 'Show most votes first'))),
    answer.suggestions.length ? answer.suggestions.map((s) => suggestionCard(ctx, s, me, here)) : p('There are no suggestions yet.'),
    answer.next_page ? h('nav', { class: 'govuk-pagination', 'aria-label': 'Pages of suggestions' },
      h('div', { class: 'govuk-pagination__next' }, h('a', { class: 'govuk-link govuk-pagination__link', rel: 'next', href: '/suggestions' + api.q({ order: order === 'newest' ? 'newest' : null, page: answer.next_page }) },
        h('span', { class: 'govuk-pagination__link-title' }, 'Next page')))) : null);
}

export async function suggest(ctx) {
  const form = h('form', { novalidate: true },
    input({ id: 'title', label: 'Your idea in a few words', hint: 'Up to 120 characters', width: 'full' }),
    textarea({ id: 'description', label: 'Tell us more', hint: 'What it would let you do, and why it matters. Everyone signed in sees it, so leave out names and health details.', rows: 6 }),
    h('div', { class: 'govuk-button-group' }, button('Post suggestion'), link('/suggestions', 'Cancel')));
  ctx.show('Suggest a feature', h('a', { class: 'govuk-back-link', href: '/suggestions' }, 'Back'), heading('Suggest a feature'), form);
  submitting(form, async (values) => {
    const errors = [];
    if (values.title.trim().length < 3) errors.push({ field: 'title', text: 'Enter your idea in at least 3 characters' });
    if (values.description.trim().length < 3) errors.push({ field: 'description', text: 'Tell us more, in at least 3 characters' });
    if (errors.length) return showErrors(form, errors);
    try {
      await api.post('/suggestions', { title: values.title.trim(), description: values.description.trim() });
      ctx.navigate('/suggestions?order=newest', { message: { title: 'Your suggestion is posted', text: 'Others can now see it and vote for it.' } });
    } catch (error) {
      showErrors(form, apiErrors(error, { title: 'Your idea', description: 'Tell us more' }, 'title'));
    }
  });
}

// The support team: feedback not yet answered, oldest first, with what is left of the 48 hours.
function timeLeft(f) {
  const hours = Math.floor(Math.abs(f.time_left_seconds) / 3600);
  const minutes = Math.floor((Math.abs(f.time_left_seconds) % 3600) / 60);
  const text = hours ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(minutes, 'minute');
  return f.overdue ? tag(`Overdue by ${text}`, 'red') : tag(`${text} left`, f.time_left_seconds < 12 * 3600 ? 'orange' : 'blue');
}

export async function inbox(ctx) {
  const answer = await api.get('/feedback/inbox' + api.q({ page: ctx.query.get('page') }));
  const cards = answer.feedback.map((f, i) => {
    const form = h('form', { novalidate: true },
      textarea({ id: `answer-${i}`, name: 'answer', label: `Answer ${f.author_name}`, hint: 'We email this to them.', rows: 4 }),
      h('div', { class: 'govuk-button-group' }, button('Send answer', { name: 'action', value: 'answer' }),
        secondary('Close without answering', { name: 'action', value: 'close', 'aria-label': `Close ${f.author_name}'s feedback without answering` })));
    submitting(form, async (values, submitter) => {
      const closing = submitter && submitter.value === 'close';
      if (!closing && values.answer.trim().length < 3) return showErrors(form, [{ field: 'answer', text: 'Enter your answer, in at least 3 characters' }]);
      try {
        if (closing) await api.post(`/feedback/${encodeURIComponent(f.id)}/close`, {});
        else await api.post(`/feedback/${encodeURIComponent(f.id)}/answer`, { text: values.answer.trim() });
        ctx.navigate('/feedback/inbox', { message: closing ? { title: `${f.author_name}'s feedback is closed` }
          : { title: `Your answer to ${f.author_name} is sent`, text: 'We have emailed it to them.' } });
      } catch (error) {
        showErrors(form, apiErrors(error, { text: 'Answer' }, 'answer'));
      }
    });
    return card(`${f.author_name}: ${CATEGORY[f.category] || f.category}`, [
      summaryList([['Time to answer', timeLeft(f)], ['Sent', formatDateTime(f.created_at)], f.about ? ['About', f.about] : null].filter(Boolean)),
      paragraphs(f.text), form]);
  });
  ctx.show('Feedback inbox', heading('Feedback inbox', 'l', 'Support team'),
    p('Feedback not yet answered, oldest first. Answer each one within 48 hours of it being sent.'),
    p(link('/suggestions', 'Suggestions'), ': set their status, merge duplicates, hide those with personal data or abuse.'),
    cards.length ? [p(`${plural(cards.length, 'item')} waiting${answer.next_page ? ' on this page' : ''}.`), cards] : p('No feedback is waiting for an answer.'),
    answer.next_page ? h('nav', { class: 'govuk-pagination', 'aria-label': 'Pages of feedback' },
      h('div', { class: 'govuk-pagination__next' }, h('a', { class: 'govuk-link govuk-pagination__link', rel: 'next', href: '/feedback/inbox' + api.q({ page: answer.next_page }) },
        h('span', { class: 'govuk-pagination__link-title' }, 'Next page')))) : null);
}

// The newest pages of suggestions: what a duplicate is merged into is chosen among them.
async function recentSuggestions(pages = 10) {
  const found = [];
  let page = null;
  for (let i = 0; i < pages; i += 1) {
    const answer = await api.get('/suggestions' + api.q({ order: 'newest', page }));
    found.push(...answer.suggestions);
    page = answer.next_page;
    if (!page) break;
  }
  return found;
}

export async function manage(ctx) {
  let s = null;
  try {
    s = await api.get(`/suggestions/${encodeURIComponent(ctx.params.id)}`);
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  if (!s || !s.visible) {
    return ctx.show('Suggestion not found', heading(s ? 'This suggestion was merged or hidden' : 'Suggestion not found'),
      p(s ? 'It is listed with the hidden and merged suggestions.' : 'Check the address, or find it in the list.'),
      p(link(s ? '/suggestions/removed' : '/suggestions', s ? 'Hidden and merged suggestions' : 'Back to suggestions')));
  }
  const all = await recentSuggestions(3);
  const back = h('a', { class: 'govuk-back-link', href: '/suggestions' }, 'Back to suggestions');
  const id = encodeURIComponent(s.id);
  const statusForm = h('form', { novalidate: true },
    radios({ name: 'status', legend: 'Status', options: STATUSES, value: s.status, legendClass: 'govuk-fieldset__legend--m' }),
    textarea({ id: 'comment', label: 'Comment shown with the suggestion (optional)', hint: 'Leave it empty to remove the previous comment.', rows: 3 }),
    button('Save status'));
  statusForm.querySelector('#comment').value = s.team_comment || '';
  const others = all.filter((x) => x.id !== s.id);
  const mergeForm = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Merge a duplicate'),
    h('div', { class: 'govuk-form-group', 'data-field': 'into' },
      h('label', { class: 'govuk-label', for: 'into' }, 'Which suggestion does this one duplicate?'),
      h('div', { class: 'govuk-hint', id: 'into-hint' }, 'Its votes move there. Someone who voted for both counts once.'),
      h('select', { class: 'govuk-select', id: 'into', name: 'into', 'aria-describedby': 'into-hint' },
        h('option', { value: '' }, 'Choose a suggestion'),
        others.map((x) => h('option', { value: x.id }, `${x.title} (${plural(x.votes, 'vote')})`)))),
    secondary('Merge into it'));
  const hideForm = h('form', { novalidate: true },
    h('h2', { class: 'govuk-heading-m' }, 'Hide it'),
    textarea({ id: 'reason', label: 'Why are you hiding it?', hint: 'For personal data or abuse. The reason is kept with it and not shown to users.', rows: 3 }),
    button('Hide suggestion', { class: 'govuk-button govuk-button--warning' }));
  ctx.show(`Manage: ${s.title}`, back, heading(s.title, 'l', 'Manage a suggestion'),
    summaryList([['Votes', plural(s.votes, 'vote')], ['Status', STATUS[s.status]], ['Suggested by', `${s.author_name}, ${formatDateTime(s.created_at)}`]]),
    paragraphs(s.description), statusForm, mergeForm, hideForm);
  submitting(statusForm, async (values) => {
    try {
      await api.put(`/suggestions/${id}/status`, { status: values.status, comment: values.comment.trim() || null });
      ctx.navigate('/suggestions', { message: { title: `"${s.title}" is now ${STATUS[values.status].toLowerCase()}` } });
    } catch (error) {
      showErrors(statusForm, apiErrors(error, { status: 'Status', comment: 'Comment' }, 'comment'));
    }
  });
  submitting(mergeForm, async (values) => {
    if (!values.into) return showErrors(mergeForm, [{ field: 'into', text: 'Choose the suggestion this one duplicates' }]);
    try {
      let result;
      do { result = await api.post(`/suggestions/${id}/merge`, { into: values.into }); } while (!result.complete);
      ctx.navigate('/suggestions', { message: { title: `"${s.title}" is merged into "${result.target.title}"`, text: `It now has ${plural(result.target.votes, 'vote')}.` } });
    } catch (error) {
      showErrors(mergeForm, apiErrors(error, { into: 'Duplicate of' }, 'into'));
    }
  });
  submitting(hideForm, async (values) => {
    if (values.reason.trim().length < 3) return showErrors(hideForm, [{ field: 'reason', text: 'Enter why you are hiding it, in at least 3 characters' }]);
    try {
      await api.post(`/suggestions/${id}/hide`, { reason: values.reason.trim() });
      ctx.navigate('/suggestions/removed', { message: { title: `"${s.title}" is hidden`, text: 'Users no longer see it.' } });
    } catch (error) {
      showErrors(hideForm, apiErrors(error, { reason: 'Reason' }, 'reason'));
    }
  });
}

// The support team: suggestions it hid (?kind=hidden) or merged (?kind=merged).
export async function removed(ctx) {
  const kind = ctx.query.get('kind') === 'merged' ? 'merged' : 'hidden';
  const answer = await api.get('/suggestions/removed' + api.q({ kind, page: ctx.query.get('page') }));
  const names = kind === 'merged' ? Object.fromEntries((await recentSuggestions(3)).map((x) => [x.id, x.title])) : {};
  ctx.show('Hidden and merged suggestions', h('a', { class: 'govuk-back-link', href: '/suggestions' }, 'Back to suggestions'),
    heading(kind === 'hidden' ? 'Hidden suggestions' : 'Merged suggestions', 'l', 'Support team'),
    h('nav', { 'aria-label': 'Hidden or merged' }, p(kind === 'hidden' ? link('/suggestions/removed?kind=merged', 'Show merged suggestions') : link('/suggestions/removed', 'Show hidden suggestions'))),
    answer.suggestions.length ? answer.suggestions.map((s) => card(s.title, [
      summaryList([
        ['Suggested by', s.author_name],
        kind === 'hidden' ? ['Why it was hidden', s.hidden_reason || 'Not given'] : ['Merged into', names[s.merged_into] || 'Another suggestion'],
      ]),
      paragraphs(s.description)])) : p(kind === 'hidden' ? 'No suggestions are hidden.' : 'No suggestions are merged.'),
    answer.next_page ? h('nav', { class: 'govuk-pagination', 'aria-label': 'Pages of suggestions' },
      h('div', { class: 'govuk-pagination__next' }, h('a', { class: 'govuk-link govuk-pagination__link', rel: 'next', href: '/suggestions/removed' + api.q({ kind, page: answer.next_page }) },
        h('span', { class: 'govuk-pagination__link-title' }, 'Next page')))) : null);
}
