/**
 * S38: the sensitive staff actions, in one table. The router reads it (registerStaffScope adds
 * `requireFreshSecondFactor` to every route listed here, in every staff scope) and the test reads
 * it (test/staff/step-up-routes.test.ts sends a stale second factor to every entry, and refuses any
 * back-office route that changes something or exports data without being listed here or named
 * not sensitive in the test). A new sensitive route is one line here.
 */
export interface StepUpRoute {
  method: 'GET' | 'POST';
  /** The route's pattern, exactly as registered. */
  url: string;
  /** What it does, for the test's messages and docs/security.md. */
  action: string;
}

export const STEP_UP_ROUTES: readonly StepUpRoute[] = [
  { method: 'POST', url: '/back-office/comptes/:id/email', action: 'customer e-mail change (request)' },
  { method: 'POST', url: '/back-office/comptes/:id/email/approuver', action: 'customer e-mail change (approval)' },
  { method: 'POST', url: '/back-office/comptes/:id/desactiver', action: 'customer account disable' },
  { method: 'POST', url: '/back-office/comptes/:id/reactiver', action: 'customer account enable' },
  { method: 'POST', url: '/back-office/comptes/:id/invitations', action: 'invitation into a company (staff)' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:sub/titulaire', action: 'holder role handed over' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:sub/desactiver', action: 'person disable' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:sub/reactiver', action: 'person enable' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:sub/email', action: 'person e-mail change (request)' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:sub/email/approuver', action: 'person e-mail change (approval)' },
  { method: 'GET', url: '/back-office/comptes/:id/personnes/:person/donnees.:format', action: 'personal data export (person)' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:person/effacer', action: 'erasure (person)' },
  { method: 'POST', url: '/back-office/comptes/:id/personnes/:sub/role', action: 'a person’s role in a company' },
  { method: 'POST', url: '/back-office/comptes/:id/cles/supprimer', action: 'a customer’s passkeys removed (admin)' },
  { method: 'POST', url: '/back-office/equipe/:id/cles/supprimer', action: 'a staff member’s passkeys removed (admin)' },
  { method: 'POST', url: '/back-office/mon-compte/cles', action: 'own passkey added (S49, S50)' },
  { method: 'POST', url: '/back-office/mon-compte/cles/:id/supprimer', action: 'own passkey removed (S49)' },
  { method: 'POST', url: '/back-office/import', action: 'ERP import' },
  { method: 'GET', url: '/back-office/journal.csv', action: 'audit export' },
  { method: 'GET', url: '/back-office/comptes/:id/donnees.:format', action: 'personal data export (account)' },
  { method: 'GET', url: '/back-office/demandes/:id/donnees.:format', action: 'personal data export (request)' },
  { method: 'POST', url: '/back-office/comptes/:id/effacer', action: 'erasure (account)' },
  { method: 'POST', url: '/back-office/demandes/:id/effacer', action: 'erasure (request)' },
  { method: 'POST', url: '/back-office/equipe', action: 'staff creation' },
  { method: 'POST', url: '/back-office/equipe/:id/desactiver', action: 'staff disable' },
  { method: 'POST', url: '/back-office/equipe/:id/activer', action: 'staff enable' },
  { method: 'POST', url: '/back-office/equipe/:id/lien', action: 'staff setup link' },
  { method: 'POST', url: '/back-office/mon-compte/codes', action: 'own recovery codes' },
  { method: 'POST', url: '/back-office/mon-compte/application', action: 'own authenticator re-enrolment' },
  { method: 'POST', url: '/back-office/applications', action: 'single sign-on application registration' },
  { method: 'POST', url: '/back-office/applications/:id/desactiver', action: 'single sign-on application disable' },
  { method: 'POST', url: '/back-office/applications/:id/activer', action: 'single sign-on application enable' },
];

/** HEAD runs the GET handler (Fastify's automatic HEAD routes): it needs what GET needs. */
export function needsStepUp(method: string | string[], url: string): boolean {
  const methods = (Array.isArray(method) ? method : [method]).map((m) => (m === 'HEAD' ? 'GET' : m));
  return STEP_UP_ROUTES.some((r) => r.url === url && methods.includes(r.method));
}
