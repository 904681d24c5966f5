// The accessibility statement, the privacy notice, and "page not found".
import { h, heading, p, link } from '../dom.js';

const h2 = (text) => h('h2', { class: 'govuk-heading-m' }, text);
const list = (...items) => h('ul', { class: 'govuk-list govuk-list--bullet' }, items.map((item) => h('li', {}, item)));

export async function accessibility(ctx) {
  ctx.show('Accessibility statement', heading('Accessibility statement for Care Tracker'),
    p('This statement applies to the Care Tracker web client. We want as many people as possible to be able to use it. You should be able to:'),
    list('change colours, contrast levels and fonts using your browser or device settings',
      'zoom in up to 400% without the text spilling off the screen',
      'navigate the whole service using just a keyboard',
      'use the service with a screen reader (including recent versions of JAWS, NVDA and VoiceOver)',
      'use it on a phone: every page works on a screen 320 pixels wide'),
    h2('How accessible this service is'),
    p('We test every journey in a real browser with automated checks (axe-core, WCAG 2.2 levels A and AA), with the keyboard alone, and at 320 pixels wide. Automated checks do not find every problem, and we have not yet had a full audit by people who use assistive technology.'),
    p('Known limitations: wide tables (bulk update, reports) scroll sideways inside their own box on small screens.'),
    h2('Feedback and contact information'),
    p('If you find a problem, or need information in a different format, contact the Care Tracker support team. We will reply within 5 working days.'),
    h2('Enforcement procedure'),
    p('The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "accessibility regulations"). If you are not happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).'),
    h2('Compliance status'),
    p('This service aims to be fully compliant with the Web Content Accessibility Guidelines version 2.2 AA standard. It has not yet been independently audited.'),
    h2('Preparation of this statement'),
    p('This statement was prepared in December 2026. It is reviewed with every release of the web client.'));
}

export async function privacy(ctx) {
  ctx.show('Privacy notice', heading('Privacy notice'),
    p('Care Tracker collects monthly capacity returns from care providers so that local authorities and the NHS can see care capacity in their areas, as required by section 277A of the Health and Social Care Act 2012.'),
    h2('What we keep about you'),
    list('your name, email address, phone number and job title, and the locations you have access to',
      'your choice about communications from us, which you can change at any time',
      'who saved each return and when'),
    h2('What we do not do'),
    list('we do not use cookies or tracking: the web client keeps your sign-in only in this browser tab, until you close it or sign out',
      'we do not put personal data in our logs',
      'we do not share your personal details with commissioners: they see the figures of the returns only'),
    h2('How long we keep it'),
    p('Your account is kept while you use the service. When you leave, an approver or the support team deactivates it. Daily backups are kept for 35 days.'),
    h2('Your rights'),
    p('You can ask to see, correct or delete the personal data we hold about you. Contact the Care Tracker support team.'),
    p(link('/accessibility', 'Accessibility statement')));
}

export async function notFound(ctx) {
  ctx.show('Page not found', heading('Page not found'),
    p('If you typed the web address, check it is correct.'),
    p(link('/', 'Go to the start page')));
}
