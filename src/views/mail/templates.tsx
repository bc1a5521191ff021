/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { catalogue, type Lang } from '../../shared/i18n/languages.js';
import { type Child, h, type Html, renderDocument } from '../jsx.js';

/** A rendered e-mail: the HTML part escapes user data like every page (S26). */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * Customer mails take the language of their reader (`lang`: the person's, else the request's, else
 * French — account.service.ts mailLanguage, S51); mails to staff and customer service stay French.
 */
function MailLayout({ brand, lang = 'fr', children }: { brand: string; lang?: Lang; children?: Child }): Html {
  const t = catalogue(lang);
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <title>{brand}</title>
      </head>
      <body style="font-family: Arial, sans-serif; color: #1a1a1a; line-height: 1.5; max-width: 40rem; margin: 0 auto; padding: 1rem;">
        <p style="font-size: 1.25rem; font-weight: bold; color: #0b5394;">{brand}</p>
        {children}
        <p style="color: #555; font-size: 0.9rem;">{t.mail.automatic}</p>
      </body>
    </html>
  );
}

function paragraphs(text: string): Html[] {
  return text.split('\n').map((line) => <p>{line}</p>);
}

/** welcome: an approved account-opening request; activation: a first password; reset: a new one. */
export type LinkMailKind = 'welcome' | 'activation' | 'reset';

export function resetLinkMail(p: { brand: string; company: string; code: string; link: string; duration: string; until: string; kind: LinkMailKind; lang: Lang; name?: string }): MailContent {
  const t = catalogue(p.lang);
  const words = t.mail.link[p.kind];
  const validity = t.mail.resetValidity(p.duration, p.until);
  // The requester's own name when we know it (the welcome after an approved request), else the company.
  const greeting = t.mail.greeting(p.name ?? p.company);
  const text = [greeting, '', words.intro(p.code), '', p.link, '', validity, '', words.ignore, '', t.mail.signature(p.brand), '', t.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{greeting}</p>
      <p>{words.intro(p.code)}</p>
      <p>
        <a href={p.link} style="display: inline-block; padding: 0.7rem 1.2rem; background: #0b5394; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">
          {t.mail.resetButton}
        </a>
      </p>
      <p style="word-break: break-all; font-size: 0.9rem;">{p.link}</p>
      <p>
        <strong>{validity}</strong>
      </p>
      <p>{words.ignore}</p>
      {paragraphs(t.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: words.subject(p.brand), text, html: renderDocument(html) };
}

/** A company invitation: the company, who invited, the link and how long it works (S44). */
export function invitationMail(p: { brand: string; company: string; code: string; inviter: string | null; givenName: string; link: string; duration: string; until: string; lang: Lang }): MailContent {
  const t = catalogue(p.lang);
  const m = t.mail.invitation;
  const validity = m.validity(p.duration, p.until);
  const intro = m.intro(p.inviter ?? t.invitation.staffInviter(p.brand), p.company, p.code);
  const text = [m.greeting(p.givenName), '', intro, '', p.link, '', validity, '', m.ignore, '', t.mail.signature(p.brand), '', t.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{m.greeting(p.givenName)}</p>
      <p>{intro}</p>
      <p>
        <a href={p.link} style="display: inline-block; padding: 0.7rem 1.2rem; background: #0b5394; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">
          {m.button}
        </a>
      </p>
      <p style="word-break: break-all; font-size: 0.9rem;">{p.link}</p>
      <p>
        <strong>{validity}</strong>
      </p>
      <p>{m.ignore}</p>
      {paragraphs(t.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: m.subject(p.brand, p.company), text, html: renderDocument(html) };
}

/**
 * first: the password of a brand-new account was chosen ("enregistré"); otherwise it changed
 * ("modifié"). `support` (supportContact) says how to reach customer service if it was not them.
 */
export function passwordChangedMail(p: { brand: string; company: string; code: string; when: string; first?: boolean; support: string; lang: Lang }): MailContent {
  const m = catalogue(p.lang).mail;
  const [subject, body, warning] = p.first ? [m.setSubject(p.brand), m.setBody(p.code, p.when), m.setWarning(p.support)] : [m.changedSubject(p.brand), m.changedBody(p.code, p.when), m.changedWarning(p.support)];
  const text = [m.greeting(p.company), '', body, '', warning, '', m.signature(p.brand), '', m.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{m.greeting(p.company)}</p>
      <p>{body}</p>
      <p>
        <strong>{warning}</strong>
      </p>
      {paragraphs(m.signature(p.brand))}
    </MailLayout>
  );
  return { subject, text, html: renderDocument(html) };
}

/** What an account-opening request says, as the notification shows it. */
export interface AccountRequestMailData {
  company: string;
  customerCode: string | null;
  siret: string | null;
  lastName: string;
  firstName: string;
  email: string;
  phone: string;
  address: string | null;
  postalCode: string | null;
  city: string | null;
  country: string | null;
  message: string | null;
}

/** To customer service: everything the requester typed (encoded in the HTML part, S26) and the back-office link. */
export function accountRequestNotificationMail(p: { brand: string; request: AccountRequestMailData; when: string; link: string }): MailContent {
  const t = fr.accountRequest;
  const r = p.request;
  const rows: Array<[string, string | null]> = [
    [t.labels.raison_sociale, r.company],
    [t.labels.code_client, r.customerCode],
    [t.labels.siret, r.siret],
    [t.labels.nom, r.lastName],
    [t.labels.prenom, r.firstName],
    [t.labels.email, r.email],
    [t.labels.telephone, r.phone],
    [t.labels.adresse, r.address],
    [t.labels.code_postal, r.postalCode],
    [t.labels.ville, r.city],
    [t.labels.pays, r.country],
  ];
  const message = r.message ?? t.mail.notSet;
  const text = [
    t.mail.notificationIntro(p.when),
    '',
    ...rows.map(([label, value]) => `${label} : ${value ?? t.mail.notSet}`),
    `${t.labels.message} :`,
    message,
    '',
    t.mail.notificationAction,
    p.link,
  ].join('\n');
  const html = (
    <MailLayout brand={p.brand}>
      <p>{t.mail.notificationIntro(p.when)}</p>
      <table style="border-collapse: collapse; margin: 1rem 0;">
        {rows.map(([label, value]) => (
          <tr>
            <th scope="row" style="text-align: left; padding: 0.25rem 1rem 0.25rem 0; vertical-align: top;">
              {label}
            </th>
            <td style="padding: 0.25rem 0;">{value ?? t.mail.notSet}</td>
          </tr>
        ))}
      </table>
      <p>
        <strong>{t.labels.message} :</strong>
      </p>
      <div style="border-left: 3px solid #ccc; padding-left: 0.75rem;">{paragraphs(message)}</div>
      <p>{t.mail.notificationAction}</p>
      <p>
        <a href={p.link} style="display: inline-block; padding: 0.7rem 1.2rem; background: #0b5394; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">
          {t.mail.notificationButton}
        </a>
      </p>
      <p style="word-break: break-all; font-size: 0.9rem;">{p.link}</p>
    </MailLayout>
  );
  return { subject: t.mail.notificationSubject(p.brand, r.company), text, html: renderDocument(html) };
}

/**
 * To the requester. Anyone can put any address in the form, so this mail carries as little text
 * of the sender's choosing as it can: only the name they gave, cut to 60 characters, in the
 * greeting (a person expects to be called by name; a message or a company name is never repeated).
 */
export function accountRequestAckMail(p: { brand: string; when: string; name: string; lang: Lang }): MailContent {
  const t = catalogue(p.lang);
  const m = t.accountRequest.mail;
  const greeting = m.ackGreeting(p.name.replace(/\s+/g, ' ').trim().slice(0, 60));
  const text = [greeting, '', m.ackBody(p.when), '', m.ackIgnore, '', t.mail.signature(p.brand), '', t.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{greeting}</p>
      <p>{m.ackBody(p.when)}</p>
      <p>{m.ackIgnore}</p>
      {paragraphs(t.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: m.ackSubject(p.brand), text, html: renderDocument(html) };
}

/** The one-time setup link of a new staff member (password, then TOTP enrolment). */
export function staffSetupMail(p: { brand: string; link: string; duration: string; until: string }): MailContent {
  const validity = fr.staff.linkValidity(p.duration, p.until);
  const text = [fr.staff.mailGreeting, '', fr.staff.mailIntro, '', p.link, '', validity, '', fr.staff.mailIgnore, '', fr.staff.mailSignature(p.brand), '', fr.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand}>
      <p>{fr.staff.mailGreeting}</p>
      <p>{fr.staff.mailIntro}</p>
      <p>
        <a href={p.link} style="display: inline-block; padding: 0.7rem 1.2rem; background: #0b5394; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">
          {fr.staff.mailButton}
        </a>
      </p>
      <p style="word-break: break-all; font-size: 0.9rem;">{p.link}</p>
      <p>
        <strong>{validity}</strong>
      </p>
      <p>{fr.staff.mailIgnore}</p>
      {paragraphs(fr.staff.mailSignature(p.brand))}
    </MailLayout>
  );
  return { subject: fr.staff.mailSubject(p.brand), text, html: renderDocument(html) };
}

/** After 10 consecutive failed logins (S8): a heads-up, at most one a day, no link to click. */
export function loginAlertMail(p: { brand: string; company: string; code: string; failures: number; lang: Lang }): MailContent {
  const t = catalogue(p.lang);
  const text = [t.mail.greeting(p.company), '', t.mail.alertBody(p.code, p.failures), '', t.mail.alertAdvice, '', t.mail.signature(p.brand), '', t.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{t.mail.greeting(p.company)}</p>
      <p>{t.mail.alertBody(p.code, p.failures)}</p>
      <p>{t.mail.alertAdvice}</p>
      {paragraphs(t.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: t.mail.alertSubject(p.brand), text, html: renderDocument(html) };
}

/** Rejection of an account-opening request, with the reason customer service typed. */
export function accountRequestRejectedMail(p: { brand: string; company: string; name: string; reason: string; support: string; lang: Lang }): MailContent {
  const t = catalogue(p.lang);
  const text = [t.mail.greeting(p.name), '', t.mail.rejectedBody(p.company), '', p.reason, '', t.mail.rejectedContact(p.support), '', t.mail.signature(p.brand)].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{t.mail.greeting(p.name)}</p>
      <p>{t.mail.rejectedBody(p.company)}</p>
      <blockquote>{paragraphs(p.reason)}</blockquote>
      <p>{t.mail.rejectedContact(p.support)}</p>
      {paragraphs(t.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: t.mail.rejectedSubject(p.brand), text, html: renderDocument(html) };
}

/** How the customer reaches customer service, from SUPPORT_EMAIL / SUPPORT_PHONE (or the generic sentence). */
export function supportContact(config: { supportEmail: string | null; supportPhone: string | null }, lang: Lang): string {
  return catalogue(lang).mail.supportContact(config.supportEmail, config.supportPhone);
}

/** A security notice: a greeting, a few plain paragraphs, the signature (no link, no secret). */
function noticeMail(p: { brand: string; subject: string; greeting: string; paragraphs: string[]; lang: Lang; signature?: string }): MailContent {
  const t = catalogue(p.lang);
  const signature = p.signature ?? t.mail.signature(p.brand);
  const text = [p.greeting, '', ...p.paragraphs.flatMap((line) => [line, '']), signature, '', t.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand} lang={p.lang}>
      <p>{p.greeting}</p>
      {p.paragraphs.map((line) => (
        <p>{line}</p>
      ))}
      {paragraphs(signature)}
    </MailLayout>
  );
  return { subject: p.subject, text, html: renderDocument(html) };
}

/** S39: sent to the OLD address when customer service changed the account's e-mail. */
export function emailChangedNoticeMail(p: { brand: string; company: string; code: string; newEmail: string; when: string; support: string; lang: Lang }): MailContent {
  const t = catalogue(p.lang);
  return noticeMail({
    brand: p.brand,
    lang: p.lang,
    subject: t.mail.emailChangedSubject(p.brand),
    greeting: t.mail.greeting(p.company),
    paragraphs: [t.mail.emailChangedBody(p.code, p.newEmail, p.when), t.mail.emailChangedWarning(p.support)],
  });
}

/** S39 (ASVS 6.3.5): a sign-in from a browser the account had not used before. */
export function newDeviceMail(p: { brand: string; company: string; code: string; when: string; browser: string; place: string; support: string; lang: Lang }): MailContent {
  const t = catalogue(p.lang);
  return noticeMail({
    brand: p.brand,
    lang: p.lang,
    subject: t.mail.newDeviceSubject,
    greeting: t.mail.greeting(p.company),
    paragraphs: [t.mail.newDeviceBody(p.code, p.when, p.browser, p.place), t.mail.newDeviceAdvice(p.support)],
  });
}

/** S39: a change to a staff member's own password, recovery codes or authenticator. */
export function staffFactorChangedMail(p: { brand: string; what: 'password' | 'recovery_codes' | 'authenticator'; when: string; browser: string; place: string }): MailContent {
  return noticeMail({
    brand: p.brand,
    lang: 'fr',
    subject: fr.staff.factorChangedSubject(p.brand),
    greeting: fr.staff.mailGreeting,
    paragraphs: [fr.staff.factorChangedBody(fr.staff.factorWhat[p.what], p.when, p.browser, p.place), fr.staff.factorChangedWarning],
    signature: fr.staff.mailSignature(p.brand),
  });
}

/**
 * S39, S49: a passkey was added to or removed from an account (a customer's or a staff member's),
 * by its owner or, for `removed_by_staff`, by an administrator. No link, no secret.
 */
export function passkeyNoticeMail(p: {
  brand: string;
  change: 'added' | 'removed' | 'removed_by_staff';
  /** The customer's company, code and language (S51); absent for a staff member (the back office is French). */
  customer?: { company: string; code: string; lang: Lang };
  name: string;
  count?: number;
  when: string;
  browser: string;
  place: string;
  support: string;
}): MailContent {
  const lang: Lang = p.customer?.lang ?? 'fr';
  const t = catalogue(lang).passkeys;
  const to = p.customer ? t.mailAccountCustomer(p.customer.code) : t.mailAccountStaff;
  const from = p.customer ? t.mailAccountCustomerFrom(p.customer.code) : t.mailAccountStaffFrom;
  const body =
    p.change === 'added'
      ? t.mailAddedBody(to, p.name, p.when, p.browser, p.place)
      : p.change === 'removed'
        ? t.mailRemovedBody(from, p.name, p.when, p.browser, p.place)
        : t.mailRemovedByStaffBody(from, p.count ?? 1, p.when);
  return noticeMail({
    brand: p.brand,
    lang,
    subject: p.change === 'added' ? t.mailAddedSubject(p.brand) : t.mailRemovedSubject(p.brand),
    greeting: p.customer ? catalogue(lang).mail.greeting(p.customer.company) : fr.staff.mailGreeting,
    paragraphs: [body, p.customer ? t.mailCustomerWarning(p.support) : fr.staff.factorChangedWarning],
  });
}
