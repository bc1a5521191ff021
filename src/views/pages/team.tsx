/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { type Catalogue, fr } from '../../shared/i18n/fr.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../forms.js';
import { Fragment, h, type Html } from '../jsx.js';
import { DataTable, Layout, Notice, type PageContext, ZoneNote } from '../layout.js';

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
export function RoleSelect({ id, name = 'role', selected, error, label, describedBy, t = fr }: { id: string; name?: string; selected?: string; error?: string; label?: string; describedBy?: string; t?: Catalogue }): Html {
  const described = [describedBy, error ? `${id}-erreur` : null].filter(Boolean).join(' ');
  return (
    <select id={id} name={name} required aria-invalid={error ? 'true' : undefined} aria-describedby={described || undefined} aria-label={label}>
      {ROLE_KEYS.map((r) => (
        <option value={r} selected={selected === r}>
          {t.company.roles[r]}
        </option>
      ))}
    </select>
  );
}

/** "Inviter un collaborateur": Prénom, Nom, Adresse e-mail, Rôle, "Envoyer l'invitation". */
/** `t`: the customer page's catalogue; the back office passes none and stays French. */
/** A person in a team table (Mon équipe, the company page): the name, or the address alone when there is no name (said once, breakable), "(vous)", and "titulaire du code client". */
export function PersonName({ person, you = false, t = fr }: { person: { name: string; email: string; isHolder: boolean }; you?: boolean; t?: Catalogue }): Html {
  return (
    <>
      <strong class={person.name === person.email ? 'long' : undefined}>{person.name}</strong>
      {you ? <span class="badge"> ({t.team.you})</span> : null}
      {person.name === person.email ? null : (
        <>
          <br />
          <span class="long">{person.email}</span>
        </>
      )}
      {person.isHolder ? (
        <>
          <br />
          <small>{t.team.holder}</small>
        </>
      ) : null}
    </>
  );
}

/** "Modifier le rôle" in a team table row: the role select beside its button. */
export function RoleForm({ ctx, action, person, t = fr }: { ctx: PageContext; action: string; person: { id: number; name: string; role: string }; t?: Catalogue }): Html {
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField token={ctx.csrfToken} />
      <RoleSelect t={t} id={`role-${person.id}`} selected={person.role} label={t.team.changeRoleLabel(person.name)} />{' '}
      <button type="submit" class="button button-small">
        {t.team.changeRole}
      </button>
    </form>
  );
}

export function InvitationForm({ ctx, action, values = {}, errors = {}, duration, t = fr }: { ctx: PageContext; action: string; values?: InvitationFormValues; errors?: FieldErrors; duration: string; t?: Catalogue }): Html {
  return (
    <form method="post" action={action} novalidate>
      <CsrfField token={ctx.csrfToken} />
      <p>{t.team.inviteIntro(duration)}</p>
      <Field t={t} name="prenom" label={t.team.givenName} value={values.prenom} error={errors.prenom} required autocomplete="off" maxlength={100} />
      <Field t={t} name="nom" label={t.team.familyName} value={values.nom} error={errors.nom} required autocomplete="off" maxlength={100} />
      <Field t={t} name="email" label={t.team.inviteEmail} type="email" value={values.email} error={errors.email} required autocomplete="off" maxlength={254} />
      <div class={errors.role ? 'field field-error' : 'field'}>
        <label for="role">
          {t.team.inviteRole}
          <span class="required" aria-hidden="true">
            {' '}
            *
          </span>
        </label>
        <ul class="hint" id="role-aide">
          {ROLE_KEYS.map((r) => (
            <li>{t.team.roleHints[r]}</li>
          ))}
        </ul>
        {errors.role ? (
          <p class="error" id="role-erreur">
            <span class="visually-hidden">{t.site.fieldErrorPrefix}</span>
            {errors.role}
          </p>
        ) : null}
        <RoleSelect t={t} id="role" selected={values.role ?? 'buyer'} error={errors.role} describedBy="role-aide" />
      </div>
      <p class="legend">{t.site.requiredLegend}</p>
      <button type="submit" class="button button-primary">
        {t.team.inviteSubmit}
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
  const t = p.ctx.t;
  const errors = p.errors ?? {};
  const base = '/espace-pro/equipe';
  return (
    <Layout ctx={p.ctx} title={t.team.title} hasError={Object.keys(errors).length > 0 || p.actionError !== undefined} signedIn>
      <p class="breadcrumb">
        <a href="/espace-pro">{t.account.title}</a>
      </p>
      <h1>{t.team.title}</h1>
      <p>{t.team.intro(p.company, p.code)}</p>
      {p.notice ? <Notice kind="success">{p.notice}</Notice> : null}
      <ZoneNote ctx={p.ctx} />
      {p.actionError ? (
        <div class="error-summary" role="alert" tabindex="-1" id="resume-erreurs">
          <p>{p.actionError}</p>
        </div>
      ) : null}

      <section class="panel" aria-labelledby="personnes-titre">
        <h2 id="personnes-titre">{t.team.peopleHeading}</h2>
        <DataTable
          labelledBy="personnes-titre"
          rows={p.members}
          columns={[
            {
              label: t.team.name,
              cell: (m) => <PersonName t={t} person={m} you={m.id === p.meId} />,
            },
            {
              label: t.team.role,
              cell: (m) => <RoleForm ctx={p.ctx} t={t} action={`${base}/membres/${m.id}/role`} person={m} />,
            },
            { label: t.team.state, cell: (m) => t.team.states[m.state] },
            { label: t.team.lastSignIn, cell: (m) => m.lastSignIn ?? t.team.never },
            {
              label: t.team.remove,
              action: true,
              cell: (m) =>
                m.isHolder ? null : (
                  <form method="post" action={`${base}/membres/${m.id}/retirer`} class="inline-form">
                    <CsrfField token={p.ctx.csrfToken} />
                    <button type="submit" class="button button-small button-danger" aria-label={t.team.removeLabel(m.name)}>
                      {t.team.remove}
                    </button>
                  </form>
                ),
            },
          ]}
        />
      </section>

      <section class="panel" aria-labelledby="invitations-titre">
        <h2 id="invitations-titre">{t.team.invitationsHeading}</h2>
        {p.invitations.length === 0 ? (
          <p>{t.team.noInvitations}</p>
        ) : (
          <DataTable
            labelledBy="invitations-titre"
            rows={p.invitations}
            columns={[
              {
                label: t.team.name,
                cell: (i) => (
                  <>
                    <strong>{i.name}</strong> <span class="badge">({t.team.states.invited})</span>
                    <br />
                    {i.email}
                  </>
                ),
              },
              { label: t.team.role, class: 'nowrap', cell: (i) => t.company.roles[i.role] },
              { label: t.team.invitedBy, cell: (i) => i.invitedBy },
              { label: t.team.validUntil, cell: (i) => (i.expired ? t.team.expired : i.validUntil) },
              {
                label: t.team.withdraw,
                action: true,
                cell: (i) => (
                  <>
                    <form method="post" action={`${base}/invitations/${i.id}/renvoyer`} class="inline-form">
                      <CsrfField token={p.ctx.csrfToken} />
                      <button type="submit" class="button button-small" aria-label={t.team.resendLabel(i.name)}>
                        {t.team.resend}
                      </button>
                    </form>{' '}
                    <form method="post" action={`${base}/invitations/${i.id}/retirer`} class="inline-form">
                      <CsrfField token={p.ctx.csrfToken} />
                      <button type="submit" class="button button-small button-danger" aria-label={t.team.withdrawLabel(i.name)}>
                        {t.team.withdraw}
                      </button>
                    </form>
                  </>
                ),
              },
            ]}
          />
        )}
      </section>

      <section class="panel" aria-labelledby="inviter-titre" id="inviter">
        <h2 id="inviter-titre">{t.team.inviteHeading}</h2>
        <ErrorSummary errors={errors} t={t} />
        <InvitationForm ctx={p.ctx} t={t} action={`${base}/invitations`} values={p.values} errors={errors} duration={p.duration} />
      </section>
    </Layout>
  );
}

/** The invitation page for a person who already has a password: sign in (or, signed in, accept). */
export function InvitationSignInPage({ ctx, intro, email, canAccept, otherPerson }: { ctx: PageContext; intro: string; email: string; canAccept: boolean; otherPerson: boolean }): Html {
  const t = ctx.t;
  return (
    <Layout ctx={ctx} title={t.invitation.title}>
      <h1>{t.invitation.title}</h1>
      <div class="panel narrow">
        <p>{intro}</p>
        <dl class="facts">
          <dt>{t.invitation.identifier}</dt>
          <dd>{email}</dd>
        </dl>
        {canAccept ? (
          <form method="post" action="/invitation">
            <CsrfField token={ctx.csrfToken} />
            <button type="submit" class="button button-primary">
              {t.invitation.accept}
            </button>
          </form>
        ) : (
          <>
            <p>{otherPerson ? t.invitation.otherPerson : t.invitation.existingSignIn}</p>
            <p>
              <a class="button button-primary" href="/connexion?reconnexion=1&next=%2Finvitation">
                {t.invitation.signIn}
              </a>
            </p>
          </>
        )}
      </div>
    </Layout>
  );
}
