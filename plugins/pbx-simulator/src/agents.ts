/** Most extensions one simulator may drive; keeps a typo like "1-9999999" from allocating millions. */
export const MAX_AGENTS = 100_000;

export type AgentSpecResult = { ok: true; extensions: string[] } | { ok: false; message: string };

/**
 * Expands "1001-1050", "1001-1010,2001,3000-3004" or "0100-0199" (leading zeros keep their width)
 * into extensions, in order, without duplicates.
 */
export function expandAgentSpec(spec: string): AgentSpecResult {
  const out = new Set<string>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const range = /^(\d{1,9})\s*-\s*(\d{1,9})$/.exec(part);
    if (range) {
      const [, first = '', last = ''] = range;
      const from = Number(first);
      const to = Number(last);
      if (to < from) return { ok: false, message: `range "${part}" ends before it starts` };
      if (out.size + (to - from + 1) > MAX_AGENTS)
        return { ok: false, message: `more than ${MAX_AGENTS} agents` };
      const width = first.startsWith('0') ? first.length : 0;
      for (let n = from; n <= to; n++) out.add(String(n).padStart(width, '0'));
      continue;
    }
    if (!/^[\w.@+-]{1,64}$/.test(part)) {
      return { ok: false, message: `"${part}" is neither an extension nor a range like 1001-1050` };
    }
    out.add(part);
  }
  if (out.size === 0) return { ok: false, message: 'no agents: give a range like 1001-1050' };
  if (out.size > MAX_AGENTS) return { ok: false, message: `more than ${MAX_AGENTS} agents` };
  return { ok: true, extensions: [...out] };
}
