/**
 * The fake engine's event stream: every event is kept (for `since`) and handed to the live
 * subscribers. `events()` replays the past from `since`, then follows until `until` passes or
 * the caller's signal fires; without `since` it shows only what happens from now on, as Docker.
 */
import type { EngineEvent, EventFilter } from '../events';
import { AsyncQueue } from './async-queue';
import { type Clock, parseTime } from './engine-time';
import { matchesLabels } from './label-filter';

interface Stamped {
  readonly ns: bigint;
  readonly event: EngineEvent;
}

export class EventHub {
  private readonly history: Stamped[] = [];
  private readonly subscribers = new Set<(e: Stamped) => void>();

  constructor(private readonly clock: Clock) {}

  emit(event: EngineEvent, ns: bigint): void {
    const stamped = { ns, event };
    this.history.push(stamped);
    for (const s of [...this.subscribers]) s(stamped);
  }

  /** Ends every live stream (the engine shuts down). */
  closeAll(): void {
    for (const s of [...this.subscribers]) s(END);
  }

  events(filter: EventFilter = {}): AsyncIterable<EngineEvent> {
    const since = filter.since !== undefined ? parseTime(filter.since, 'since') : undefined;
    const until = filter.until !== undefined ? parseTime(filter.until, 'until') : undefined;
    const queue = new AsyncQueue<EngineEvent>(filter.signal);
    const wanted = (s: Stamped): boolean =>
      (since === undefined || s.ns >= since) && (until === undefined || s.ns <= until) && matchesLabels(s.event.attributes, filter.labels);
    if (since !== undefined) for (const s of this.history) if (wanted(s)) queue.push(s.event);
    const now = this.clock();
    if (until !== undefined && until <= now) {
      queue.end();
      return queue;
    }
    const subscriber = (s: Stamped): void => {
      if (s === END) queue.end();
      else if (until !== undefined && s.ns > until) queue.end();
      else if (wanted(s)) queue.push(s.event);
    };
    this.subscribers.add(subscriber);
    const delayMs = until !== undefined ? Number((until - now) / 1_000_000n) + 1 : undefined;
    const timer = delayMs !== undefined && delayMs < 2 ** 31 ? setTimeout(() => queue.end(), delayMs) : undefined;
    queue.onClose(() => {
      this.subscribers.delete(subscriber);
      if (timer) clearTimeout(timer);
    });
    filter.signal?.addEventListener('abort', () => {
      this.subscribers.delete(subscriber);
      if (timer) clearTimeout(timer);
    });
    return queue;
  }
}

const END: Stamped = { ns: -1n, event: { type: 'container', action: 'destroy', id: '', attributes: {}, time: '' } };
