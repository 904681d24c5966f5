// The start page: what Care Tracker is, or straight to the signed-in person's own start.
import * as api from '../api.js';
import { h, heading, p, link } from '../dom.js';
import * as session from '../session.js';
import { landing } from './sign-in.js';

export async function home(ctx) {
  if (session.signedIn()) {
    const me = await api.me();
    const start = landing(me);
    if (start !== '/') return ctx.navigate(start, { replace: true });
    return ctx.show('Care Tracker', heading('Care Tracker'),
      p(`You are signed in as ${me.full_name || me.email}.`),
      p('The pages for your role are not in the web client yet. The support team can help you in the meantime.'));
  }
  ctx.show('Care Tracker', heading('Care Tracker'),
    p('Care providers registered with the CQC make a monthly return here of their beds, staff and care, for each location and type of care.'),
    p('The window for returns opens on the 8th of each month and closes at the end of the 14th (later when the 14th is a weekend or bank holiday).'),
    h('a', { href: '/sign-in', role: 'button', draggable: 'false', class: 'govuk-button govuk-button--start', 'data-module': 'govuk-button' },
      'Sign in'),
    p('New to Care Tracker? ', link('/register', 'Ask for an account'), '.'),
    p('Employ your own personal assistants? ', link('/employer-sign-up', 'Sign up'), '.'));
}
