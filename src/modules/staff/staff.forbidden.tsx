/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fr } from '../../shared/i18n/fr.js';
import { BackOfficeLayout } from '../../views/back-office/layout.js';
import { h } from '../../views/jsx.js';
import { MessagePage } from '../../views/pages/message.js';
import type { CurrentStaff } from './staff.guard.js';
import { pageContext, sendPage } from '../../plugins/views.js';

/** The French 403 of the back office: inside the back-office layout for a signed-in member. */
export function sendStaffForbidden(request: FastifyRequest, reply: FastifyReply, staff: CurrentStaff | null): FastifyReply {
  // The back office stays French, even on the customer layout (PRODUCT.md, "Languages").
  const ctx = pageContext(request, reply, 'fr');
  if (!staff) {
    return sendPage(
      reply,
      <MessagePage ctx={ctx} title={fr.staff.forbiddenTitle} body={fr.staff.forbiddenAnonymousBody} isError action={{ href: '/back-office/connexion', label: fr.staff.toLogin }} />,
      403,
    );
  }
  return sendPage(
    reply,
    <BackOfficeLayout ctx={ctx} staff={staff} title={fr.staff.forbiddenTitle} hasError>
      <h1>{fr.staff.forbiddenTitle}</h1>
      <p>{fr.staff.forbiddenBody}</p>
      <p>
        <a class="button" href="/back-office">
          {fr.staff.nav.dashboard}
        </a>
      </p>
    </BackOfficeLayout>,
    403,
  );
}
