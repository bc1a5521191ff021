/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, PostButton } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { type PageContext, ScrollTable } from '../layout.js';
import { InvitationForm, type InvitationFormValues, RoleSelect } from '../pages/team.js';

/** The company's people and pending invitations, as the company page shows them. */
export interface CompanyTeam {
  members: Array<{
    id: number;
    name: string;
    email: string;
    role: 'admin' | 'buyer' | 'viewer';
    isHolder: boolean;
    state: 'active' | 'pending' | 'disabled';
    lastLoginAt: number | null;
    passkeys?: number;
    pendingEmail: { to: string; by: string; at: number } | null;
  }>;
  invitations: Array<{ id: number; name: string; email: string; role: 'admin' | 'buyer' | 'viewer'; invitedBy: string | null; staffEmail: string | null; expiresAt: number; expired: boolean }>;
}

export interface CompanyTeamPanelProps {
  ctx: PageContext;
  staffEmail: string;
  /** Staff admins may also erase a person (S42). */
  staffIsAdmin: boolean;
  /** The company page's address: /back-office/comptes/:id. */
  base: string;
  team: CompanyTeam;
  when: (ms: number) => string;
  duration: string;
  brand: string;
  values?: InvitationFormValues;
  errors?: FieldErrors;
}

/**
 * The company page's people and invitations: per person the role, state and last sign-in, with
 * "Modifier le rôle", "Transmettre le code client", "Envoyer un lien", "Désactiver"/"Réactiver",
 * "Retirer" and the four-eyes e-mail change (S37); per invitation "Renvoyer" and "Retirer"; and the
 * invitation form. Every action is a plain form (no JavaScript).
 */
export function CompanyTeamPanel(p: CompanyTeamPanelProps): Html {
  const t = fr.bo.team;
  const errors = p.errors ?? {};
  return (
    <>
      <section class="panel" aria-labelledby="personnes-titre">
        <h2 id="personnes-titre">{t.peopleHeading}</h2>
        <ScrollTable labelledBy="personnes-titre" tableClass="dense cards">
          <thead>
            <tr>
              <th scope="col">{fr.team.name}</th>
              <th scope="col">{fr.team.role}</th>
              <th scope="col">{fr.team.state}</th>
              <th scope="col">{fr.team.lastSignIn}</th>
              <th scope="col">{t.actions}</th>
            </tr>
          </thead>
          <tbody>
            {p.team.members.map((m) => {
              const person = `${p.base}/personnes/${m.id}`;
              return (
                <tr>
                  <td data-label={fr.team.name}>
                    <strong class={m.name === m.email ? 'long' : undefined}>{m.name}</strong>
                    {m.name === m.email ? null : (
                      <>
                        <br />
                        <span class="long">{m.email}</span>
                      </>
                    )}
                    {m.isHolder ? (
                      <>
                        <br />
                        <small>{fr.team.holder}</small>
                      </>
                    ) : null}
                  </td>
                  <td data-label={fr.team.role}>
                    <form method="post" action={`${person}/role`} class="inline-form">
                      <CsrfField token={p.ctx.csrfToken} />
                      <RoleSelect id={`role-${m.id}`} selected={m.role} label={fr.team.changeRoleLabel(m.name)} />{' '}
                      <button type="submit" class="button button-small">
                        {fr.team.changeRole}
                      </button>
                    </form>
                  </td>
                  <td data-label={fr.team.state}>{fr.team.states[m.state]}</td>
                  <td data-label={fr.team.lastSignIn}>{m.lastLoginAt === null ? fr.team.never : p.when(m.lastLoginAt)}</td>
                  <td data-label={t.actions}>
                    <details>
                      <summary>{t.actionsFor(m.name)}</summary>
                      <div class="actions">
                        {m.isHolder ? null : <PostButton small ctx={p.ctx} action={`${person}/titulaire`} label={t.handOver} />}
                        {m.state === 'disabled' ? null : <PostButton small ctx={p.ctx} action={`${person}/lien`} label={t.sendLink} />}
                        {m.state === 'disabled' ? <PostButton small ctx={p.ctx} action={`${person}/reactiver`} label={t.enable} /> : <PostButton small ctx={p.ctx} action={`${person}/desactiver`} label={t.disable} variant="danger" />}
                        {m.isHolder ? null : <PostButton small ctx={p.ctx} action={`${person}/retirer`} label={fr.team.remove} variant="danger" />}
                        {p.staffIsAdmin && !m.isHolder ? <PostButton small ctx={p.ctx} action={`${person}/effacer`} label={fr.privacy.erasePerson} variant="danger" /> : null}
                      </div>
                      <p>
                        <a href={`${person}/donnees.json`}>{fr.privacy.exportPersonJson}</a> · <a href={`${person}/donnees.csv`}>{fr.privacy.exportPersonCsv}</a>
                      </p>
                      {m.pendingEmail ? (
                        <div>
                          <p>{t.pendingEmail(m.pendingEmail.to, m.pendingEmail.by, p.when(m.pendingEmail.at))}</p>
                          <div class="actions">
                            {m.pendingEmail.by === p.staffEmail ? null : <PostButton small ctx={p.ctx} action={`${person}/email/approuver`} label={fr.bo.pendingEmailApprove} />}
                            <PostButton small ctx={p.ctx} action={`${person}/email/refuser`} label={m.pendingEmail.by === p.staffEmail ? fr.bo.pendingEmailWithdraw : fr.bo.pendingEmailReject} />
                          </div>
                        </div>
                      ) : (
                        <form method="post" action={`${person}/email`} novalidate class="email-form">
                          <CsrfField token={p.ctx.csrfToken} />
                          <Field name={`email-${m.id}`} label={fr.bo.newEmail} hint={fr.bo.changeEmailHint} type="email" required autocomplete="off" maxlength={254} />
                          <button type="submit" class="button">
                            {fr.bo.changeEmail}
                          </button>
                        </form>
                      )}
                    </details>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </ScrollTable>
      </section>

      <section class="panel" aria-labelledby="invitations-titre">
        <h2 id="invitations-titre">{fr.team.invitationsHeading}</h2>
        {p.team.invitations.length === 0 ? (
          <p>{fr.team.noInvitations}</p>
        ) : (
          <ScrollTable labelledBy="invitations-titre" tableClass="dense cards">
            <thead>
              <tr>
                <th scope="col">{fr.team.name}</th>
                <th scope="col">{fr.team.role}</th>
                <th scope="col">{fr.team.invitedBy}</th>
                <th scope="col">{fr.team.validUntil}</th>
                <th scope="col">{t.actions}</th>
              </tr>
            </thead>
            <tbody>
              {p.team.invitations.map((i) => (
                <tr>
                  <td data-label={fr.team.name}>
                    <strong>{i.name}</strong>
                    <br />
                    <span class="long">{i.email}</span>
                  </td>
                  <td data-label={fr.team.role}>{fr.company.roles[i.role]}</td>
                  <td data-label={fr.team.invitedBy}>{i.invitedBy ?? `${fr.invitation.staffInviter(p.brand)}${i.staffEmail ? ` (${i.staffEmail})` : ''}`}</td>
                  <td data-label={fr.team.validUntil}>{i.expired ? fr.team.expired : p.when(i.expiresAt)}</td>
                  <td data-label={t.actions}>
                    <div class="actions">
                      <PostButton small ctx={p.ctx} action={`${p.base}/invitations/${i.id}/renvoyer`} label={fr.team.resend} />
                      <PostButton small ctx={p.ctx} action={`${p.base}/invitations/${i.id}/retirer`} label={fr.team.withdraw} variant="danger" />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </section>

      <section class="panel" aria-labelledby="inviter-titre" id="inviter">
        <h2 id="inviter-titre">{fr.team.inviteHeading}</h2>
        <ErrorSummary errors={errors} />
        <InvitationForm ctx={p.ctx} action={`${p.base}/invitations`} values={p.values} errors={errors} duration={p.duration} />
      </section>
    </>
  );
}
