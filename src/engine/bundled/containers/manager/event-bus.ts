/**
 * The engine's events: kept in a ring (for `since`) and handed to live subscribers.
 */
import { InvalidArgumentError } from '../../../errors';
import type { ContainerAction, EngineEvent, EventFilter } from '../../../events';

const KEPT = 1024;

export class EventBus {
  private readonly past: EngineEvent[] = [];
  private readonly subscribers = new Set<(e: EngineEvent) => void>();

  emit(action: ContainerAction, id: string, attributes: Readonly<Record<string, string>>): EngineEvent {
    const event: EngineEvent = { type: 'container', action, id, attributes, time: nowNano() };
    this.past.push(event);
    if (this.past.length > KEPT) this.past.splice(0, this.past.length - KEPT);
    for (const s of this.subscribers) s(event);
    return event;
  }

  async *events(filter: EventFilter = {}): AsyncIterable<EngineEvent> {
    const since = filter.since !== undefined ? toMillis(filter.since) : undefined;
    const until = filter.until !== undefined ? toMillis(filter.until) : undefined;
    const matches = (e: EngineEvent): boolean => labelsMatch(e.attributes, filter.labels);
    const queue: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    const subscriber = (e: EngineEvent): void => {
      queue.push(e);
      wake?.();
    };
    this.subscribers.add(subscriber);
    const onAbort = (): void => wake?.();
    filter.signal?.addEventListener('abort', onAbort);
    let timer: NodeJS.Timeout | undefined;
    try {
      if (since !== undefined) {
        for (const e of this.past) {
          const t = Date.parse(e.time);
          if (t >= since && (until === undefined || t <= until) && matches(e)) yield e;
        }
      }
      if (until !== undefined) {
        const left = until - Date.now();
        if (left <= 0) return;
        timer = setTimeout(() => wake?.(), left);
      }
      for (;;) {
        while (queue.length > 0) {
          const e = queue.shift() as EngineEvent;
          if (until !== undefined && Date.parse(e.time) > until) return;
          if (matches(e)) yield e;
        }
        if (filter.signal?.aborted || (until !== undefined && Date.now() >= until)) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      if (timer) clearTimeout(timer);
      this.subscribers.delete(subscriber);
      filter.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Every filter (`key` or `key=value`) holds for these labels. */
export function labelsMatch(labels: Readonly<Record<string, string>>, filters: readonly string[] | undefined): boolean {
  if (!filters) return true;
  return filters.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

/** RFC 3339 or Unix seconds (with a fraction) → ms. */
export function toMillis(time: string): number {
  if (/^\d+(\.\d+)?$/.test(time)) return Number(time) * 1000;
  const t = Date.parse(time);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid time ${JSON.stringify(time)}: expected RFC 3339 or Unix seconds`);
  return t;
}

/** Now, RFC 3339 with nanoseconds (the clock's sub-millisecond part from hrtime). */
export function nowNano(): string {
  const ms = Date.now();
  const iso = new Date(ms).toISOString(); // …sss Z
  const sub = (process.hrtime.bigint() % 1_000_000n).toString().padStart(6, '0');
  return `${iso.slice(0, -1)}${sub}Z`;
}
