/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { ssoAuthenticationContext } from '../passkeys/passkeys.sso.js';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { RuntimeDeps } from '../../app.js';
import { requestOrigin } from '../../plugins/request-origin.js';
import { CHOOSER_PATH, hasCompany, loadCustomer } from '../session/customer-session.js';
import { languageOf } from '../../plugins/language.js';
import { sendPage } from '../../plugins/views.js';
import { catalogue } from '../../shared/i18n/languages.js';
import { h, renderDocument } from '../../views/jsx.js';
import { brandingOf, Layout, type PageContext } from '../../views/layout.js';
import { MessagePage } from '../../views/pages/message.js';
import { recordAudit } from '../audit/audit.service.js';
import { pinForwardedHeaders, SSO_PATH } from './sso.provider.js';
import * as repo from './sso.repository.js';

/** The provider's pages have no form of ours (no CSRF token); their language is the browser's (S51). */
function ctxOf(deps: RuntimeDeps, request: { headers: IncomingHttpHeaders }): PageContext {
  const lang = languageOf(request);
  return { brandName: deps.config.brandName, csrfToken: '', branding: brandingOf(deps.config), lang, t: catalogue(lang) };
}

/** The provider's own pages (logout confirmation, signed out, error) in our layout, in the browser's language, no inline script. */
export function renderProviderPage(
  deps: RuntimeDeps,
  request: { headers: IncomingHttpHeaders },
  page: { kind: 'logout'; form: string; app: string } | { kind: 'loggedOut' } | { kind: 'error' },
): string {
  const ctx = ctxOf(deps, request);
  const t = ctx.t;
  if (page.kind === 'loggedOut') return renderDocument(<MessagePage ctx={ctx} title={t.sso.loggedOutTitle} body={t.sso.loggedOutBody} />);
  if (page.kind === 'error') return renderDocument(<MessagePage ctx={ctx} title={t.sso.errorTitle} body={t.sso.errorBody} isError />);
  // The provider hands its form as HTML; we rebuild it from its two values so everything is escaped.
  const action = /action="([^"]+)"/.exec(page.form)?.[1] ?? '';
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.form)?.[1] ?? '';
  return renderDocument(
    <Layout ctx={ctx} title={t.sso.logoutTitle}>
      <h1>{t.sso.logoutTitle}</h1>
      <p>{t.sso.logoutBody(page.app || deps.config.brandName)}</p>
      <form method="post" action={action.replace(/&amp;/g, '&')}>
        <input type="hidden" name="xsrf" value={xsrf} />
        <input type="hidden" name="logout" value="yes" />
        <button type="submit" class="button">
          {t.sso.logoutAction}
        </button>
      </form>
    </Layout>,
  );
}

interface Details {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, string | undefined>;
  session?: { accountId?: string };
  grantId?: string;
  result?: { espace_pro?: { asked_at: number; session: string | null } };
}

/**
 * GET /oidc/interaction/:uid, where the provider sends the browser when it needs a sign-in. Our
 * Authentification page is the only login UI: an Espace Pro session finishes the interaction at
 * once (single sign-on) unless prompt=login or max_age asks for a fresh password check, then the
 * browser goes to /connexion and comes back here after "Se connecter".
 */
export function interactionRoutes(provider: any) {
  return async function ssoInteractionRoutes(app: FastifyInstance) {
    app.get<{ Params: { uid: string } }>(`${SSO_PATH}/interaction/:uid`, async (request, reply) => {
      const deps = app.deps;
      const { db, clock, config } = deps;
      const ctx = ctxOf(deps, request);
      const t = ctx.t;
      pinForwardedHeaders(request.raw, config.publicUrl, request.ip);
      let details: Details;
      try {
        details = await provider.interactionDetails(request.raw, reply.raw);
      } catch {
        // No interaction cookie, an expired or unknown uid: the shop has to start again.
        return sendPage(reply, <MessagePage ctx={ctx} title={t.sso.errorTitle} body={t.sso.errorBody} isError />, 400);
      }
      if (details.uid !== request.params.uid) return sendPage(reply, <MessagePage ctx={ctx} title={t.sso.errorTitle} body={t.sso.errorBody} isError />, 400);
      const clientId = details.params.client_id ?? '';

      if (details.prompt.name === 'consent') {
        // First-party applications only (loadExistingGrant grants what they ask): a remaining
        // consent prompt is granted the same way rather than shown.
        const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session?.accountId, clientId });
        const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant.save();
        return reply.redirect(await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true }), 303);
      }

      const signedIn = await loadCustomer(request, reply);
      // Several companies and none chosen: the chooser, then back here (the shop is told which one).
      if (signedIn && !hasCompany(signedIn)) return reply.redirect(`${CHOOSER_PATH}?next=${encodeURIComponent(`${SSO_PATH}/interaction/${details.uid}`)}`, 303);
      const customer = signedIn;
      const now = clock.now();
      const authAt = customer ? await repo.sessionAuthenticatedAt(db, customer.id) : null;
      const asked = details.result?.espace_pro;
      // A password typed after we sent the browser to /connexion: a new session, no older than the request.
      const checkedSinceAsked = customer !== null && authAt !== null && asked !== undefined && authAt >= asked.asked_at && customer.id !== asked.session;
      const forced = details.prompt.reasons.includes('login_prompt');
      const maxAge = details.params.max_age === undefined ? undefined : Number(details.params.max_age);
      const recentEnough = authAt !== null && (maxAge === undefined || now - authAt <= maxAge * 1000);

      if (customer && authAt !== null && (checkedSinceAsked || (!forced && recentEnough))) {
        const sub = await repo.subjectOf(db, customer.accountId);
        const returnTo: string = await provider.interactionResult(
          request.raw,
          reply.raw,
          // auth_time is the sign-in behind the session; amr/acr say how it was made (a password, or a
          // passkey: src/modules/passkeys/README.md).
          { login: { accountId: sub, ts: Math.floor(authAt / 1000), ...(await ssoAuthenticationContext(db, customer.id)), remember: false } },
          { mergeWithLastSubmission: false },
        );
        await recordAudit(db, clock, requestOrigin(request), {
          event: 'sso.login',
          outcome: 'success',
          actorType: 'customer',
          actorId: customer.code,
          accountId: customer.accountId,
          target: clientId,
          // A sign-in without PKCE (an application registered with that exception) says so in the journal.
          details: details.params.code_challenge ? { sso: !checkedSinceAsked } : { sso: !checkedSinceAsked, pkce: false },
        });
        if (!checkedSinceAsked) return reply.redirect(returnTo, 303);
        // Right after the login form: a redirect chain from a form post to the shop's origin would
        // be stopped by our CSP form-action 'self' in Chromium; a page that moves on by itself
        // starts a fresh navigation instead (and has a button when meta refresh is off).
        const name = (await repo.findClient(db, clientId))?.name ?? config.brandName;
        reply.header('refresh', `0;url=${returnTo}`);
        return sendPage(
          reply,
          <MessagePage ctx={ctx} title={t.sso.continueTitle} body={t.sso.continueBody(name)} action={{ href: returnTo, label: t.sso.continueAction }} />,
        );
      }

      // A password check is needed: remember when we asked, on our clock, then go to Authentification.
      await provider.interactionResult(request.raw, reply.raw, { espace_pro: { asked_at: now, session: customer?.id ?? null } }, { mergeWithLastSubmission: false });
      const next = encodeURIComponent(`${SSO_PATH}/interaction/${details.uid}`);
      return reply.redirect(`/connexion?next=${next}${customer ? '&reconnexion=1' : ''}`, 303);
    });
  };
}
