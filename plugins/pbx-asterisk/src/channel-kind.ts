import { parseChannelName } from './channel-name.js';
import type { AsteriskOptions } from './options.js';

export type ChannelKind = 'agent' | 'trunk' | 'local' | 'other';

/** Sorts channels into agents, trunks, Local channels and others by the options; shared by both trackers. */
export class ChannelClassifier {
  private readonly technologies: Set<string>;
  private readonly agentPattern: RegExp;
  private readonly trunkPatterns: RegExp[] | undefined;

  constructor(private readonly options: AsteriskOptions) {
    this.technologies = new Set(options.agentTechnologies.map((t) => t.toLowerCase()));
    this.agentPattern = new RegExp(options.agentExtensionPattern);
    this.trunkPatterns = options.trunkChannelPatterns?.map((p) => new RegExp(p));
  }

  kindOf(channel: string, context: string | undefined): ChannelKind {
    const name = parseChannelName(channel);
    if (!name) return 'other';
    if (name.technology.toLowerCase() === 'local') return 'local';
    if (this.trunkPatterns?.some((p) => p.test(channel))) return 'trunk';
    const agentLike =
      this.technologies.has(name.technology.toLowerCase()) && this.agentPattern.test(name.peer);
    if (agentLike) {
      const contexts = this.options.agentContexts;
      return !contexts || (context !== undefined && contexts.includes(context)) ? 'agent' : 'other';
    }
    return this.trunkPatterns ? 'other' : 'trunk';
  }

  /** The agent's extension: from the channel name, or its CallerIDNum with `agentIdentity: caller-id`. */
  agentOf(channel: string, callerIdNum: string | undefined): string | undefined {
    if (this.options.agentIdentity === 'caller-id' && present(callerIdNum)) return callerIdNum;
    return parseChannelName(channel)?.peer || undefined;
  }
}

export const present = (value: string | undefined): value is string =>
  value !== undefined && value !== '' && value !== '<unknown>';

/** `sysname-1529941338.663` or `1529941338.663` → [seconds, sequence], to tell which call began first. */
function order(id: string): [number, number] {
  const match = /(\d+)\.(\d+)$/.exec(id);
  return match ? [Number(match[1]), Number(match[2])] : [Number.POSITIVE_INFINITY, 0];
}

/** True when the call id `a` began before `b`. */
export function earlier(a: string, b: string): boolean {
  const [sa, qa] = order(a);
  const [sb, qb] = order(b);
  return sa < sb || (sa === sb && qa < qb);
}
