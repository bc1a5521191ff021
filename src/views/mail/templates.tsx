/** @jsxRuntime classic @jsx h @jsxFrag Fragment */
import { fr } from '../../shared/i18n/fr.js';
import { type Child, h, type Html, renderDocument } from '../jsx.js';

/** A rendered e-mail: the HTML part escapes user data like every page (S26). */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

function MailLayout({ brand, children }: { brand: string; children?: Child }): Html {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <title>{brand}</title>
      </head>
      <body style="font-family: Arial, sans-serif; color: #1a1a1a; line-height: 1.5; max-width: 40rem; margin: 0 auto; padding: 1rem;">
        <p style="font-size: 1.25rem; font-weight: bold; color: #0b5394;">{brand}</p>
        {children}
        <p style="color: #555; font-size: 0.9rem;">{fr.mail.automatic}</p>
      </body>
    </html>
  );
}

function paragraphs(text: string): Html[] {
  return text.split('\n').map((line) => <p>{line}</p>);
}

export function resetLinkMail(p: { brand: string; company: string; code: string; link: string; duration: string; until: string }): MailContent {
  const validity = fr.mail.resetValidity(p.duration, p.until);
  const text = [fr.mail.greeting(p.company), '', fr.mail.resetIntro(p.code), '', p.link, '', validity, '', fr.mail.resetIgnore, '', fr.mail.signature(p.brand), '', fr.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand}>
      <p>{fr.mail.greeting(p.company)}</p>
      <p>{fr.mail.resetIntro(p.code)}</p>
      <p>
        <a href={p.link} style="display: inline-block; padding: 0.7rem 1.2rem; background: #0b5394; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: bold;">
          {fr.mail.resetButton}
        </a>
      </p>
      <p style="word-break: break-all; font-size: 0.9rem;">{p.link}</p>
      <p>
        <strong>{validity}</strong>
      </p>
      <p>{fr.mail.resetIgnore}</p>
      {paragraphs(fr.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: fr.mail.resetSubject(p.brand), text, html: renderDocument(html) };
}

export function passwordChangedMail(p: { brand: string; company: string; code: string; when: string }): MailContent {
  const text = [fr.mail.greeting(p.company), '', fr.mail.changedBody(p.code, p.when), '', fr.mail.changedWarning, '', fr.mail.signature(p.brand), '', fr.mail.automatic].join('\n');
  const html = (
    <MailLayout brand={p.brand}>
      <p>{fr.mail.greeting(p.company)}</p>
      <p>{fr.mail.changedBody(p.code, p.when)}</p>
      <p>
        <strong>{fr.mail.changedWarning}</strong>
      </p>
      {paragraphs(fr.mail.signature(p.brand))}
    </MailLayout>
  );
  return { subject: fr.mail.changedSubject(p.brand), text, html: renderDocument(html) };
}
