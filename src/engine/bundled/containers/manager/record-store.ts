/** Container records on disk: one directory per container under `<root>/containers/`. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../images/store/atomic-write';
import type { ContainerRecord } from './record';

export class RecordStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'containers');
  }

  containerDir(id: string): string {
    return path.join(this.dir, id);
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async save(record: ContainerRecord): Promise<void> {
    await fs.mkdir(this.containerDir(record.id), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.containerDir(record.id), 'record.json'), JSON.stringify(record, null, 2));
  }

  /** Every record; a directory without a readable record (a crash during create) is reported to `onBroken`. */
  async loadAll(onBroken: (id: string, reason: string) => void = () => undefined): Promise<ContainerRecord[]> {
    const out: ContainerRecord[] = [];
    for (const id of await fs.readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{64}$/.test(id)) continue;
      try {
        out.push(JSON.parse(await fs.readFile(path.join(this.containerDir(id), 'record.json'), 'utf8')) as ContainerRecord);
      } catch (err) {
        onBroken(id, err instanceof Error ? err.message : String(err));
      }
    }
    return out;
  }

  async remove(id: string): Promise<void> {
    await fs.rm(this.containerDir(id), { recursive: true, force: true });
  }
}
