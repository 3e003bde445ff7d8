/**
 * Whether a workstation's reported login belongs to a user's screen-recording login. Case never matters;
 * a side without a domain matches any domain, as admins often enter plain logins for domain accounts.
 */
export function loginsMatch(userLogin: string, workstationLogin: string): boolean {
  const split = (login: string) => {
    const [domain, name] = login.toLowerCase().trim().split('\\', 2);
    return name === undefined ? { domain: undefined, name: domain! } : { domain, name };
  };
  const a = split(userLogin);
  const b = split(workstationLogin);
  if (a.name !== b.name) return false;
  return a.domain === undefined || b.domain === undefined || a.domain === b.domain;
}
