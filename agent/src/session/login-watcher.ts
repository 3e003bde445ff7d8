import type { Logger } from '@deskrec/core';

/** Polls the console login and reports changes (log on, log off, user switch). */
export class LoginWatcher {
  private timer: NodeJS.Timeout | undefined;
  current: string | null = null;

  constructor(
    private readonly read: () => Promise<string | null>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  async start(onChange: (login: string | null) => void): Promise<void> {
    this.current = await this.read();
    this.timer = setInterval(async () => {
      const login = await this.read().catch(() => this.current);
      if (login !== this.current) {
        this.logger.info({ from: this.current, to: login }, 'console login changed');
        this.current = login;
        onChange(login);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
