import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  /** The outbox kind and creation time, for the file name of an .eml (never a header). */
  kind?: string;
  createdAt?: number;
  text: string;
  html: string;
  /** Stable per outbox row, so a receiving server can recognise a redelivery. */
  messageId: string;
}

export interface MailTransport {
  /** Where the mail went (a file path, an SMTP id) for the log. */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

/** A delivery failure that retrying later may fix (4xx, connection refused, timeout). */
export class TemporaryMailError extends Error {}

/** Real delivery over SMTP. 5xx answers are permanent; everything else is worth retrying. */
export function smtpTransport(smtpUrl: string): MailTransport {
  // A small pool: one SMTP conversation per mail would spend most of its time connecting.
  const transporter = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 2, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
  return {
    async send(mail) {
      try {
        const { kind: _kind, createdAt: _createdAt, ...headers } = mail;
        const info = await transporter.sendMail({ ...headers, disableFileAccess: true, disableUrlAccess: true });
        return `smtp ${info.messageId}`;
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw error;
        throw new TemporaryMailError(error instanceof Error ? error.message : String(error));
      }
    },
    close: () => transporter.close(),
  };
}

/** No SMTP configured: each mail becomes an .eml file a newcomer can open. */
export function fileTransport(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const { kind, createdAt, ...headers } = mail;
      const info = await composer.sendMail({ ...headers, disableFileAccess: true, disableUrlAccess: true });
      // S40: a mail file holds sign-in links; only the service's own user may read it.
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, emlFileName(mail.messageId, kind, createdAt ?? Date.now()));
      await fs.writeFile(file, info.message as Buffer, { mode: 0o600 });
      // The mode above applies only when the file is created; a redelivery rewrites an older file.
      await fs.chmod(file, 0o600);
      return file;
    },
    close: () => composer.close(),
  };
}

/**
 * "20261201-101500_account_request_ack_42.eml": date (UTC), kind and outbox id, so a listing of
 * the folder sorts by time and says what each file is.
 */
export function emlFileName(messageId: string, kind: string | undefined, createdAt: number): string {
  const stamp = new Date(createdAt).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const id = /outbox-(\d+)@/.exec(messageId)?.[1] ?? messageId;
  return `${stamp}_${kind ?? 'mail'}_${id}`.replace(/[^a-zA-Z0-9._-]/g, '_') + '.eml';
}
