/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors, PostButton } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { DataTable, type PageContext } from '../layout.js';
import { InvitationForm, type InvitationFormValues, PersonName, RoleForm } from '../pages/team.js';

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
        <DataTable
          labelledBy="personnes-titre"
          tableClass="dense cards"
          rows={p.team.members}
          columns={[
            {
              label: fr.team.name,
              cell: (m) => <PersonName person={m} />,
            },
            {
              label: fr.team.role,
              cell: (m) => <RoleForm ctx={p.ctx} action={`${p.base}/personnes/${m.id}/role`} person={m} />,
            },
            { label: fr.team.state, cell: (m) => fr.team.states[m.state] },
            { label: fr.team.lastSignIn, cell: (m) => (m.lastLoginAt === null ? fr.team.never : p.when(m.lastLoginAt)) },
            { label: t.actions, cell: (m) => <PersonActions p={p} m={m} /> },
          ]}
        />
      </section>

      <section class="panel" aria-labelledby="invitations-titre">
        <h2 id="invitations-titre">{fr.team.invitationsHeading}</h2>
        {p.team.invitations.length === 0 ? (
          <p>{fr.team.noInvitations}</p>
        ) : (
          <DataTable
            labelledBy="invitations-titre"
            tableClass="dense cards"
            rows={p.team.invitations}
            columns={[
              {
                label: fr.team.name,
                cell: (i) => (
                  <>
                    <strong>{i.name}</strong>
                    <br />
                    <span class="long">{i.email}</span>
                  </>
                ),
              },
              { label: fr.team.role, cell: (i) => fr.company.roles[i.role] },
              { label: fr.team.invitedBy, cell: (i) => i.invitedBy ?? `${fr.invitation.staffInviter(p.brand)}${i.staffEmail ? ` (${i.staffEmail})` : ''}` },
              { label: fr.team.validUntil, cell: (i) => (i.expired ? fr.team.expired : p.when(i.expiresAt)) },
              {
                label: t.actions,
                cell: (i) => (
                  <div class="actions">
                    <PostButton small ctx={p.ctx} action={`${p.base}/invitations/${i.id}/renvoyer`} label={fr.team.resend} />
                    <PostButton small ctx={p.ctx} action={`${p.base}/invitations/${i.id}/retirer`} label={fr.team.withdraw} variant="danger" />
                  </div>
                ),
              },
            ]}
          />
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

/** A person's further actions on the company page, behind a disclosure: hand-over, link, disable, remove, erase, data, e-mail change (S37). */
function PersonActions({ p, m }: { p: CompanyTeamPanelProps; m: CompanyTeamPanelProps['team']['members'][number] }): Html {
  const t = fr.bo.team;
  const person = `${p.base}/personnes/${m.id}`;
  return (
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
  );
}
