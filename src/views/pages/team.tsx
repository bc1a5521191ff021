/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { Layout, Notice, type PageContext, ScrollTable } from '../layout.js';

type RoleKey = 'admin' | 'buyer' | 'viewer';
const ROLE_KEYS: RoleKey[] = ['admin', 'buyer', 'viewer'];

/** One person of the team, as the page shows them (dates already formatted). */
export interface TeamMemberView {
  id: number;
  name: string;
  email: string;
  role: RoleKey;
  state: 'active' | 'pending' | 'disabled';
  isHolder: boolean;
  lastSignIn: string | null;
}

export interface TeamInvitationView {
  id: number;
  name: string;
  email: string;
  role: RoleKey;
  invitedBy: string;
  validUntil: string;
  expired: boolean;
}

export interface InvitationFormValues {
  prenom?: string;
  nom?: string;
  email?: string;
  role?: string;
}

/** The role select: Administrateur, Acheteur, Consultation (the team page and the back office's company page). */
export function RoleSelect({ id, name = 'role', selected, error, label, describedBy }: { id: string; name?: string; selected?: string; error?: string; label?: string; describedBy?: string }): Html {
  const described = [describedBy, error ? `${id}-erreur` : null].filter(Boolean).join(' ');
  return (
    <select id={id} name={name} required aria-invalid={error ? 'true' : undefined} aria-describedby={described || undefined} aria-label={label}>
      {ROLE_KEYS.map((r) => (
        <option value={r} selected={selected === r}>
          {fr.company.roles[r]}
        </option>
      ))}
    </select>
  );
}

/** "Inviter un collaborateur": Prénom, Nom, Adresse e-mail, Rôle, "Envoyer l'invitation". */
export function InvitationForm({ ctx, action, values = {}, errors = {}, duration }: { ctx: PageContext; action: string; values?: InvitationFormValues; errors?: FieldErrors; duration: string }): Html {
  return (
    <form method="post" action={action} novalidate>
      <CsrfField token={ctx.csrfToken} />
      <p>{fr.team.inviteIntro(duration)}</p>
      <Field name="prenom" label={fr.team.givenName} value={values.prenom} error={errors.prenom} required autocomplete="off" maxlength={100} />
      <Field name="nom" label={fr.team.familyName} value={values.nom} error={errors.nom} required autocomplete="off" maxlength={100} />
      <Field name="email" label={fr.team.inviteEmail} type="email" value={values.email} error={errors.email} required autocomplete="off" maxlength={254} />
      <div class={errors.role ? 'field field-error' : 'field'}>
        <label for="role">
          {fr.team.inviteRole}
          <span class="required" aria-hidden="true">
            {' '}
            *
          </span>
        </label>
        <ul class="hint" id="role-aide">
          {ROLE_KEYS.map((r) => (
            <li>{fr.team.roleHints[r]}</li>
          ))}
        </ul>
        {errors.role ? (
          <p class="error" id="role-erreur">
            <span class="visually-hidden">{fr.site.fieldErrorPrefix}</span>
            {errors.role}
          </p>
        ) : null}
        <RoleSelect id="role" selected={values.role ?? 'buyer'} error={errors.role} describedBy="role-aide" />
      </div>
      <p class="legend">{fr.site.requiredLegend}</p>
      <button type="submit" class="button button-primary">
        {fr.team.inviteSubmit}
      </button>
    </form>
  );
}

export interface TeamPageProps {
  ctx: PageContext;
  company: string;
  code: string;
  /** The signed-in administrator (marked "vous"). */
  meId: number;
  members: TeamMemberView[];
  invitations: TeamInvitationView[];
  duration: string;
  values?: InvitationFormValues;
  errors?: FieldErrors;
  /** An error about one row's action (last administrator, holder…), shown above the lists. */
  actionError?: string;
  notice?: string;
}

/** "Mon équipe": the people, the pending invitations, and "Inviter un collaborateur". */
export function TeamPage(p: TeamPageProps): Html {
  const errors = p.errors ?? {};
  const base = '/espace-pro/equipe';
  return (
    <Layout ctx={p.ctx} title={fr.team.title} hasError={Object.keys(errors).length > 0 || p.actionError !== undefined} signedIn>
      <p class="breadcrumb">
        <a href="/espace-pro">{fr.account.title}</a>
      </p>
      <h1>{fr.team.title}</h1>
      <p>{fr.team.intro(p.company, p.code)}</p>
      {p.notice ? <Notice kind="success">{p.notice}</Notice> : null}
      {p.actionError ? (
        <div class="error-summary" role="alert" tabindex="-1" id="resume-erreurs">
          <p>{p.actionError}</p>
        </div>
      ) : null}

      <section class="panel" aria-labelledby="personnes-titre">
        <h2 id="personnes-titre">{fr.team.peopleHeading}</h2>
        <ScrollTable labelledBy="personnes-titre" tableClass="cards">
          <thead>
            <tr>
              <th scope="col">{fr.team.name}</th>
              <th scope="col">{fr.team.role}</th>
              <th scope="col">{fr.team.state}</th>
              <th scope="col">{fr.team.lastSignIn}</th>
              <th scope="col">
                <span class="visually-hidden">{fr.team.remove}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.members.map((m) => (
              <tr>
                <td data-label={fr.team.name}>
                  <strong>{m.name}</strong>
                  {m.id === p.meId ? <span class="badge"> ({fr.team.you})</span> : null}
                  <br />
                  {m.email}
                  {m.isHolder ? (
                    <>
                      <br />
                      <small>{fr.team.holder}</small>
                    </>
                  ) : null}
                </td>
                <td data-label={fr.team.role}>
                  <form method="post" action={`${base}/membres/${m.id}/role`} class="inline-form">
                    <CsrfField token={p.ctx.csrfToken} />
                    <RoleSelect id={`role-${m.id}`} selected={m.role} label={fr.team.changeRoleLabel(m.name)} />{' '}
                    <button type="submit" class="button button-small">
                      {fr.team.changeRole}
                    </button>
                  </form>
                </td>
                <td data-label={fr.team.state}>{fr.team.states[m.state]}</td>
                <td data-label={fr.team.lastSignIn}>{m.lastSignIn ?? fr.team.never}</td>
                <td class="cell-action">
                  {m.isHolder ? null : (
                    <form method="post" action={`${base}/membres/${m.id}/retirer`} class="inline-form">
                      <CsrfField token={p.ctx.csrfToken} />
                      <button type="submit" class="button button-small" aria-label={fr.team.removeLabel(m.name)}>
                        {fr.team.remove}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </section>

      <section class="panel" aria-labelledby="invitations-titre">
        <h2 id="invitations-titre">{fr.team.invitationsHeading}</h2>
        {p.invitations.length === 0 ? (
          <p>{fr.team.noInvitations}</p>
        ) : (
          <ScrollTable labelledBy="invitations-titre" tableClass="cards">
            <thead>
              <tr>
                <th scope="col">{fr.team.name}</th>
                <th scope="col">{fr.team.role}</th>
                <th scope="col">{fr.team.invitedBy}</th>
                <th scope="col">{fr.team.validUntil}</th>
                <th scope="col">
                  <span class="visually-hidden">{fr.team.withdraw}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.invitations.map((i) => (
                <tr>
                  <td data-label={fr.team.name}>
                    <strong>{i.name}</strong> <span class="badge">({fr.team.states.invited})</span>
                    <br />
                    {i.email}
                  </td>
                  <td data-label={fr.team.role} class="nowrap">
                    {fr.company.roles[i.role]}
                  </td>
                  <td data-label={fr.team.invitedBy}>{i.invitedBy}</td>
                  <td data-label={fr.team.validUntil}>{i.expired ? fr.team.expired : i.validUntil}</td>
                  <td class="cell-action">
                    <form method="post" action={`${base}/invitations/${i.id}/renvoyer`} class="inline-form">
                      <CsrfField token={p.ctx.csrfToken} />
                      <button type="submit" class="button button-small" aria-label={fr.team.resendLabel(i.name)}>
                        {fr.team.resend}
                      </button>
                    </form>{' '}
                    <form method="post" action={`${base}/invitations/${i.id}/retirer`} class="inline-form">
                      <CsrfField token={p.ctx.csrfToken} />
                      <button type="submit" class="button button-small" aria-label={fr.team.withdrawLabel(i.name)}>
                        {fr.team.withdraw}
                      </button>
                    </form>
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
        <InvitationForm ctx={p.ctx} action={`${base}/invitations`} values={p.values} errors={errors} duration={p.duration} />
      </section>
    </Layout>
  );
}

/** The invitation page for a person who already has a password: sign in (or, signed in, accept). */
export function InvitationSignInPage({ ctx, intro, email, canAccept, otherPerson }: { ctx: PageContext; intro: string; email: string; canAccept: boolean; otherPerson: boolean }): Html {
  return (
    <Layout ctx={ctx} title={fr.invitation.title}>
      <h1>{fr.invitation.title}</h1>
      <div class="panel narrow">
        <p>{intro}</p>
        <dl class="facts">
          <dt>{fr.invitation.identifier}</dt>
          <dd>{email}</dd>
        </dl>
        {canAccept ? (
          <form method="post" action="/invitation">
            <CsrfField token={ctx.csrfToken} />
            <button type="submit" class="button button-primary">
              {fr.invitation.accept}
            </button>
          </form>
        ) : (
          <>
            <p>{otherPerson ? fr.invitation.otherPerson : fr.invitation.existingSignIn}</p>
            <p>
              <a class="button button-primary" href="/connexion?reconnexion=1&next=%2Finvitation">
                {fr.invitation.signIn}
              </a>
            </p>
          </>
        )}
      </div>
    </Layout>
  );
}
