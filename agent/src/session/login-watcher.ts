import type { Logger } from '@deskrec/core';
import type { LoginReading } from './current-login.js';

export type LoginReader = () => Promise<LoginReading | string | null>;

/** A bare login (configured, or from an embedding's reader) means someone is signed in; null means nobody. */
function normalize(value: LoginReading | string | null): LoginReading {
  if (value === null) return { login: null, presence: 'no-user', source: 'reader' };
  if (typeof value === 'string') return { login: value, presence: 'signed-in', source: 'reader' };
  return value;
}

/** Polls the console login and reports changes (log on, log off, user switch). */
export class LoginWatcher {
  private timer: NodeJS.Timeout | undefined;
  reading: LoginReading = { login: null, presence: 'unknown', source: 'not read yet' };

  constructor(
    private readonly read: LoginReader,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  get current(): string | null {
    return this.reading.login;
  }

  async start(onChange: (reading: LoginReading) => void): Promise<void> {
    this.reading = normalize(await this.read());
    if (this.reading.presence !== 'signed-in') {
      this.logger.warn({ source: this.reading.source }, describePresence(this.reading));
    }
    this.timer = setInterval(async () => {
      const reading = await this.read().then(normalize, () => this.reading);
      if (reading.login !== this.reading.login || reading.presence !== this.reading.presence) {
        this.logger.info(
          { from: this.reading.login, to: reading.login, presence: reading.presence },
          'console login changed',
        );
        this.reading = reading;
        onChange(reading);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** One sentence for the console, the status file and the doctor. */
export function describePresence(reading: LoginReading): string {
  if (reading.presence === 'signed-in') return `${reading.login} is signed in (${reading.source})`;
  if (reading.presence === 'no-user')
    return `no user signed in at the console (${reading.source}): calls are not recorded until someone signs in`;
  return `cannot tell who is signed in: ${reading.source}; set login (DESKREC_LOGIN) if the OS cannot be asked`;
}
