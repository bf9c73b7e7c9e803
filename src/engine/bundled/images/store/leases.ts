/**
 * Leases protect layers and blobs that work in progress (a pull) relies on but no image
 * record names yet, so that garbage collection leaves them alone (containerd's leases,
 * in-process). Garbage collection decides and detaches inside `exclusive`, during which no
 * new lease is granted: a pull that then finds a layer on disk can count on it staying.
 */
export interface LeaseItems {
  readonly layers?: readonly string[];
  readonly blobs?: readonly string[];
}

export interface Lease {
  release(): void;
}

export interface LeasedSnapshot {
  readonly layers: ReadonlySet<string>;
  readonly blobs: ReadonlySet<string>;
}

export class Leases {
  private readonly layers = new Map<string, number>();
  private readonly blobs = new Map<string, number>();
  private sweeping: Promise<void> | undefined;

  /** A lease on `items`, granted once no garbage collection is deciding what to remove. */
  async acquire(items: LeaseItems): Promise<Lease> {
    while (this.sweeping) await this.sweeping;
    const layers = [...(items.layers ?? [])];
    const blobs = [...(items.blobs ?? [])];
    for (const k of layers) this.layers.set(k, (this.layers.get(k) ?? 0) + 1);
    for (const k of blobs) this.blobs.set(k, (this.blobs.get(k) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const k of layers) decrement(this.layers, k);
        for (const k of blobs) decrement(this.blobs, k);
      },
    };
  }

  /** Runs `fn` while no lease is granted (one at a time), with what is leased now. */
  async exclusive<T>(fn: (leased: LeasedSnapshot) => Promise<T>): Promise<T> {
    while (this.sweeping) await this.sweeping;
    let done = (): void => undefined;
    this.sweeping = new Promise<void>((resolve) => (done = resolve));
    try {
      return await fn({ layers: new Set(this.layers.keys()), blobs: new Set(this.blobs.keys()) });
    } finally {
      this.sweeping = undefined;
      done();
    }
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
