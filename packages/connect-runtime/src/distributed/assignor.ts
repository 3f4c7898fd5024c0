/**
 * The leader's assignment of connectors and tasks to workers, as Kafka Connect's incremental
 * cooperative assignor: work stays where it runs; new work and the work of departed workers (after
 * `scheduled.rebalance.max.delay.ms`) goes to the least-loaded workers; surplus work is first revoked
 * from overloaded workers and handed out in the follow-up rebalance, so no item ever runs twice.
 */

/** What a member reports when it joins: where it is and what it runs now. */
export interface MemberState {
  memberId: string;
  url: string;
  /** Items (`conn:<name>` / `task:<name>-<n>`) the member runs now. */
  owned: string[];
}

/** What one member is told to run after a rebalance. */
export interface MemberAssignment {
  /** Items it should run (already running ones included). */
  assigned: string[];
  /** Items it must stop now; it rejoins afterwards so they can move. */
  revoked: string[];
  leaderUrl: string;
  configOffset: number;
  /** When lost work will be reassigned, if some is being held for its owner to come back. */
  delayUntil: number | null;
}

export interface AssignInput {
  members: MemberState[];
  /** Every item that should run, in a stable order. */
  configured: string[];
  leaderUrl: string;
  configOffset: number;
  now: number;
  /** Items lost (owner gone) and since when; kept by the leader between rebalances. */
  lostSince: Map<string, number>;
  maxDelayMs: number;
}

export const connectorItem = (name: string) => `conn:${name}`;
export const taskItem = (name: string, task: number) => `task:${name}-${task}`;

export function parseItem(
  item: string,
): { kind: 'connector'; name: string } | { kind: 'task'; name: string; task: number } {
  if (item.startsWith('conn:')) return { kind: 'connector', name: item.slice(5) };
  const body = item.slice(5);
  const i = body.lastIndexOf('-');
  return { kind: 'task', name: body.slice(0, i), task: Number(body.slice(i + 1)) };
}

export function assign(input: AssignInput): Map<string, MemberAssignment> {
  const configured = new Set(input.configured);
  const members = [...input.members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  const keep = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  const revoked = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  const owner = new Map<string, string>();
  // Work stays where it runs; deleted or duplicate items are revoked.
  for (const m of members) {
    for (const item of m.owned) {
      if (!configured.has(item) || owner.has(item)) revoked.get(m.memberId)!.push(item);
      else {
        owner.set(item, m.memberId);
        keep.get(m.memberId)!.push(item);
      }
    }
  }
  // Lost work (configured, owned by nobody, seen running before) waits for its owner up to the delay.
  const unowned = input.configured.filter((i) => !owner.has(i));
  const ready: string[] = [];
  let delayUntil: number | null = null;
  for (const item of unowned) {
    const since = input.lostSince.get(item);
    if (since === undefined || input.now - since >= input.maxDelayMs) ready.push(item);
    else delayUntil = Math.min(delayUntil ?? Infinity, since + input.maxDelayMs);
  }
  for (const item of input.lostSince.keys()) if (owner.has(item) || !configured.has(item)) input.lostSince.delete(item);
  // Balance: connectors and tasks separately, as Kafka does.
  for (const kind of ['conn:', 'task:']) {
    const load = (id: string) => keep.get(id)!.filter((i) => i.startsWith(kind)).length;
    for (const item of ready.filter((i) => i.startsWith(kind))) {
      const target = members.reduce((best, m) => (load(m.memberId) < load(best.memberId) ? m : best), members[0]!);
      keep.get(target.memberId)!.push(item);
    }
    const total = members.reduce((n, m) => n + load(m.memberId), 0);
    const ceil = Math.ceil(total / Math.max(1, members.length));
    // Revoke the surplus of overloaded members only when someone is under the floor.
    const floor = Math.floor(total / Math.max(1, members.length));
    const underloaded = members.filter((m) => load(m.memberId) < floor).length;
    if (underloaded === 0) continue;
    for (const m of members) {
      const mine = keep.get(m.memberId)!.filter((i) => i.startsWith(kind));
      for (const item of mine.slice(ceil)) {
        keep.set(
          m.memberId,
          keep.get(m.memberId)!.filter((i) => i !== item),
        );
        revoked.get(m.memberId)!.push(item);
      }
    }
  }
  const out = new Map<string, MemberAssignment>();
  for (const m of members) {
    out.set(m.memberId, {
      assigned: keep.get(m.memberId)!,
      revoked: revoked.get(m.memberId)!,
      leaderUrl: input.leaderUrl,
      configOffset: input.configOffset,
      delayUntil,
    });
  }
  return out;
}
