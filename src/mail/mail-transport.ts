import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config';
import type { RenderedMail } from './mail.types';

export interface OutgoingMail extends RenderedMail {
  /** Outbox row id: names the .eml file and makes the Message-ID stable across retries. */
  id: string;
  to: string;
}

// Bounded so a black-holed SMTP server fails an attempt well within the worker's lease.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
// Nothing we send reads files or URLs; closing those doors costs nothing.
const NO_EXTERNAL_CONTENT = { disableFileAccess: true, disableUrlAccess: true };

/** SMTP when SMTP_URL is set; otherwise each message becomes an .eml file under DATA_DIR/mail. */
@Injectable()
export class MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly transporter: Transporter<{ messageId: string; message?: unknown }>;
  private readonly domain: string;

  constructor(private readonly config: AppConfig) {
    const { smtpUrl, from } = config.mail;
    this.transporter = smtpUrl
      ? createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS, ...NO_EXTERNAL_CONTENT })
      : createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    this.domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'keyhold.local';
  }

  /** Where mail goes, without credentials, for the start-up log line. */
  describe(): string {
    const { smtpUrl, dir } = this.config.mail;
    if (!smtpUrl) return `no SMTP_URL: writing each message as an .eml file under ${dir}`;
    if (!URL.canParse(smtpUrl)) return 'SMTP (SMTP_URL is not a parseable URL)';
    const url = new URL(smtpUrl);
    return `SMTP ${url.protocol}//${url.hostname}${url.port ? `:${url.port}` : ''}`;
  }

  /** Sends (or writes) one message; resolves to its Message-ID. */
  async send(mail: OutgoingMail): Promise<string> {
    const info = await this.transporter.sendMail({
      from: this.config.mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${mail.id}@${this.domain}>`,
    });
    if (!this.config.mail.smtpUrl && Buffer.isBuffer(info.message)) {
      await this.writeEml(mail.id, info.message);
    }
    return info.messageId;
  }

  private async writeEml(id: string, message: Buffer): Promise<void> {
    const { dir } = this.config.mail;
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(dir, `${stamp}-${id}.eml`);
    // Written aside then renamed, so whoever watches the folder never opens half a message.
    await writeFile(`${file}.tmp`, message);
    await rename(`${file}.tmp`, file);
    this.logger.log({ file, outboxId: id }, `Mail written to ${file}`);
  }

  /** Called by the worker once its last message is done (Nest runs shutdown hooks in parallel). */
  close(): void {
    this.transporter.close();
  }
}
