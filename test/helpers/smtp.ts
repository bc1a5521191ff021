import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server for tests: every mail is parsed with mailparser and kept. */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  /** Answer the next N RCPT commands with this SMTP error (e.g. 451 temporary, 550 permanent). */
  failNext: { count: number; code: number } = { count: 0, code: 451 };
  /** Hold each recipient this long before accepting it (a slow server, to catch a sender mid-delivery). */
  delayMs = 0;
  private server: SMTPServer | null = null;
  port = 0;

  /** A fresh server each time: an SMTPServer cannot listen again once closed. */
  private create(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (this.delayMs > 0) setTimeout(() => this.answerRcpt(callback), this.delayMs);
        else this.answerRcpt(callback);
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
  }

  private answerRcpt(callback: (error?: Error) => void): void {
    if (this.failNext.count > 0) {
      this.failNext.count--;
      const error = Object.assign(new Error(this.failNext.code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: this.failNext.code });
      return callback(error);
    }
    callback();
  }

  async start(port = 0): Promise<this> {
    const server = this.create();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  clear(): void {
    this.messages.length = 0;
  }

  to(address: string): ParsedMail[] {
    return this.messages.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.toLowerCase().includes(address.toLowerCase())));
  }
}

/** The activation/reset link in a mail's text part. */
export function linkIn(mail: ParsedMail): string {
  const match = /(https?:\/\/\S+\/activation\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  if (!match) throw new Error('no link in mail');
  return match[1]!;
}
