/** Parsers for what the OS prints about who is signed in; pure, so they are tested on recorded outputs. */

/** `key=value` lines, as `loginctl show-seat` / `show-session` print them. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export interface LogindSession {
  id: string;
  user: string;
  seat: string;
}

/**
 * `loginctl list-sessions --no-legend`: "SESSION UID USER SEAT [LEADER CLASS TTY IDLE SINCE]" (the columns
 * after USER vary by systemd version; SEAT is empty for remote and service sessions).
 */
export function parseLoginctlSessions(text: string): LogindSession[] {
  const sessions: LogindSession[] = [];
  for (const line of text.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3 || !/^\d+$/.test(cols[1]!)) continue;
    sessions.push({ id: cols[0]!, user: cols[2]!, seat: /^seat/.test(cols[3] ?? '') ? cols[3]! : '' });
  }
  return sessions;
}

/** The user of a `show-session` answer when it is a user's active local graphical or console session. */
export function userOfSession(props: Record<string, string>): string | null {
  if (props.Active !== 'yes' || props.Remote === 'yes') return null;
  if (props.Class && props.Class !== 'user') return null;
  return props.Name || null;
}

/** `who`: the first user on the X display (`:0`) or a local terminal/seat, never a remote (pts with host). */
export function parseWho(text: string): string | null {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols.length >= 2 && cols[0]);
  const display = rows.find((cols) => /^:\d/.test(cols[1]!));
  const console = rows.find((cols) => /^(tty\d|seat|console)/.test(cols[1]!));
  return (display ?? console)?.[0] ?? null;
}

/**
 * Windows `query user` (quser): the Active session, preferring the console one. The current session is
 * marked with ">"; a disconnected session has no SESSIONNAME, so columns are read from the header.
 */
export function parseQueryUser(text: string): string | null {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines.shift();
  if (!header) return null;
  const stateAt = header.search(/STATE|STATUS/);
  const sessionAt = header.search(/SESSIONNAME|SITZUNGSNAME/);
  const sessions = lines.map((line) => ({
    user:
      line
        .slice(1, sessionAt > 0 ? sessionAt : undefined)
        .trim()
        .split(/\s+/)[0] ?? '',
    session: sessionAt > 0 ? line.slice(sessionAt, stateAt).trim() : '',
    active: /^(Active|Aktiv)/i.test(
      line
        .slice(stateAt)
        .trim()
        .replace(/^\d+\s+/, ''),
    ),
  }));
  const active = sessions.filter((s) => s.active && s.user);
  return (active.find((s) => /^console/i.test(s.session)) ?? active[0])?.user ?? null;
}

/** `(Get-CimInstance Win32_ComputerSystem).UserName`: "DOMAIN\\user", empty when nobody is at the console. */
export function parseCimUserName(text: string): string | null {
  const value = text.trim().split(/\r?\n/)[0]?.trim();
  return value ? value : null;
}

/** macOS `stat -f %Su /dev/console`: the console owner; root means the login window (nobody). */
export function parseConsoleOwner(text: string): string | null {
  const user = text.trim();
  return user && user !== 'root' && user !== '_mbsetupuser' ? user : null;
}
