import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** 'smtp' delivers; 'log' writes the message to the server log (development default). */
  readonly kind: 'smtp' | 'log' | 'custom';
  send(mail: Mail): Promise<void>;
  /** Waits for messages still being delivered, then releases connections. */
  close?(): Promise<void> | void;
}

const SEND_ATTEMPTS = 3;
const RETRY_AFTER_MS = [2_000, 10_000];

/**
 * SMTP delivery that never holds up a request: send() hands the message over and returns;
 * delivery (with two retries) happens in the background, failures are logged with the
 * recipient, and close() waits for what is still in flight. A slow or unreachable mail
 * server therefore cannot slow registration, and answer times do not reveal whether a
 * message was sent at all (request-verification answers the same in every case).
 */
export function smtpMailer(url: string, from: string, log: Logger): Mailer {
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const inFlight = new Set<Promise<void>>();
  const sleepers = new Set<() => void>();
  let closing = false;
  /** A pause between attempts that close() cuts short (the last attempt is then made at once). */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const deliver = async (mail: Mail) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.sendMail({ from, ...mail });
        return;
      } catch (err) {
        if (attempt >= SEND_ATTEMPTS || closing) {
          log.warn(
            { err: (err as Error).message, to: mail.to, subject: mail.subject, attempts: attempt },
            'mail could not be delivered',
          );
          return;
        }
        await pause(RETRY_AFTER_MS[attempt - 1]!);
      }
    }
  };
  return {
    kind: 'smtp',
    async send(mail) {
      const p = deliver(mail).finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async close() {
      closing = true;
      for (const wake of [...sleepers]) wake();
      await Promise.all(inFlight);
      transport.close();
    },
  };
}

/** No SMTP configured: the message (verification links included) goes to the log for the operator. */
export function logMailer(log: Logger): Mailer {
  return {
    kind: 'log',
    async send(mail) {
      log.info(
        { mail: { to: mail.to, subject: mail.subject, text: mail.text } },
        'mail (no SMTP_URL configured, written to the log)',
      );
    },
  };
}
