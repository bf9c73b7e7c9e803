import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseReference } from '../../../../../../src/engine/image-reference';
import { ImageRecordStore, type ImageRecord } from '../../../../../../src/engine/bundled/images/store/image-store';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError } from '../../../../../../src/engine/errors';
import { sha256, tempRoot } from './fakes';

function record(name: string, extra: Partial<ImageRecord> = {}): ImageRecord {
  const diff = sha256(`layer of ${name}`);
  return {
    id: sha256(`config of ${name}`),
    platform: { os: 'linux', architecture: 'amd64' },
    created: '2024-01-01T00:00:00Z',
    config: { cmd: [name] },
    diffIds: [diff],
    chainIds: [diff],
    layerBlobs: [{ digest: sha256(`blob of ${name}`), size: 10 }],
    manifests: [{ digest: sha256(`manifest of ${name}`), size: 5 }],
    size: 10,
    ...extra,
  };
}

describe('ImageRecordStore', () => {
  let root: string;
  let store: ImageRecordStore;
  const mysql = record('mysql');
  const wordpress = record('wordpress');
  const manifestDigest = sha256('manifest of mysql');

  beforeEach(async () => {
    root = await tempRoot();
    store = new ImageRecordStore(root);
    await store.init();
    await store.put(mysql);
    await store.put(wordpress);
    await store.addReferences(mysql.id, [parseReference('mysql:5.7'), parseReference(`mysql@${manifestDigest}`)]);
    await store.addReferences(wordpress.id, [parseReference('wordpress:php7.4')]);
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const info = async (input: string) => {
    const { record: r } = await store.resolve(input);
    return store.info(r, await store.references());
  };

  it('keeps one record file per image and the references in repositories.json', async () => {
    const files = (await fs.readdir(path.join(root, 'images'))).sort();
    expect(files).toEqual([`${mysql.id.slice(7)}.json`, `${wordpress.id.slice(7)}.json`, 'repositories.json'].sort());
    expect(JSON.parse(await fs.readFile(path.join(root, 'images', 'repositories.json'), 'utf8'))).toEqual({
      references: {
        'docker.io/library/mysql:5.7': { name: 'mysql:5.7', id: mysql.id },
        [`docker.io/library/mysql@${manifestDigest}`]: { name: `mysql@${manifestDigest}`, id: mysql.id },
        'docker.io/library/wordpress:php7.4': { name: 'wordpress:php7.4', id: wordpress.id },
      },
    });
    expect(await store.get(mysql.id)).toEqual(mysql);
    expect((await store.list()).map((r) => r.id).sort()).toEqual([mysql.id, wordpress.id].sort());
  });

  it('shows familiar tags and digests in ImageInfo', async () => {
    expect(await info('mysql:5.7')).toEqual({
      id: mysql.id,
      repoTags: ['mysql:5.7'],
      repoDigests: [`mysql@${manifestDigest}`],
      platform: mysql.platform,
      created: mysql.created,
      size: 10,
      layers: mysql.diffIds,
      config: mysql.config,
    });
  });

  it('finds an image by tag, canonical name, digest, ID and unique ID prefix', async () => {
    for (const input of [
      'mysql:5.7',
      'docker.io/library/mysql:5.7',
      'index.docker.io/library/mysql:5.7',
      `mysql@${manifestDigest}`,
      mysql.id,
      mysql.id.slice(7),
      mysql.id.slice(0, 7 + 6),
      mysql.id.slice(7, 7 + 4),
    ]) {
      expect((await store.resolve(input)).record.id).toBe(mysql.id);
    }
    expect((await store.resolve('mysql:5.7')).reference).toBe('docker.io/library/mysql:5.7');
    expect((await store.resolve(mysql.id)).reference).toBeUndefined();
  });

  it('says what it cannot find, and when a short ID is ambiguous', async () => {
    await expect(store.resolve('mysql:8')).rejects.toThrow(new ObjectNotFoundError('No such image: mysql:8'));
    await expect(store.resolve('mysql')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.resolve(sha256('nothing'))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.resolve('UPPER:case')).rejects.toBeInstanceOf(InvalidArgumentError);
    // a prefix of both IDs: find one by brute force
    const a = mysql.id.slice(7);
    const b = wordpress.id.slice(7);
    let common = 0;
    while (a[common] === b[common]) common += 1;
    if (common > 0) await expect(store.resolve(a.slice(0, common))).rejects.toThrow(/ambiguous/);
    const third = record('third', { id: `sha256:${a.slice(0, 1)}${'0'.repeat(63)}` });
    await store.put(third);
    await expect(store.resolve(a.slice(0, 1))).rejects.toThrow(/ambiguous: it matches 2 images/);
  });

  it('moves a tag to the image it now names, leaving the old image untagged', async () => {
    await store.addReferences(wordpress.id, [parseReference('mysql:5.7')]);
    expect((await info('mysql:5.7')).id).toBe(wordpress.id);
    expect((await info(mysql.id)).repoTags).toEqual([]);
  });

  it('untags a tag while others are left, removes the image with its last tag', async () => {
    await store.addReferences(mysql.id, [parseReference('mysql:latest')]);
    expect(await store.remove('mysql:latest')).toEqual({ untagged: ['mysql:latest'] });
    expect((await info(mysql.id)).repoTags).toEqual(['mysql:5.7']);
    const removed = await store.remove('mysql:5.7');
    expect([...removed.untagged].sort()).toEqual(['mysql:5.7', `mysql@${manifestDigest}`].sort());
    expect(removed.deleted?.id).toBe(mysql.id);
    expect(await store.get(mysql.id)).toBeUndefined();
    expect(Object.keys(await store.references())).toEqual(['docker.io/library/wordpress:php7.4']);
  });

  it('removes a digest reference only, when tags are left', async () => {
    expect(await store.remove(`mysql@${manifestDigest}`)).toEqual({ untagged: [`mysql@${manifestDigest}`] });
    expect((await info('mysql:5.7')).repoDigests).toEqual([]);
  });

  it('removes by ID, but wants force for an image tagged in several repositories', async () => {
    await store.addReferences(mysql.id, [parseReference('mariadb:10')]);
    await expect(store.remove(mysql.id)).rejects.toBeInstanceOf(ObjectConflictError);
    await expect(store.remove(mysql.id.slice(7, 19))).rejects.toThrow(/referenced in multiple repositories/);
    expect(await store.get(mysql.id)).toBeDefined();
    const removed = await store.remove(mysql.id, { force: true });
    expect(removed.deleted?.id).toBe(mysql.id);
    expect([...removed.untagged].sort()).toEqual(['mariadb:10', 'mysql:5.7', `mysql@${manifestDigest}`].sort());
    // an untagged image goes by ID without force
    await store.addReferences(wordpress.id, [parseReference('wordpress:latest')]);
    expect((await store.remove(wordpress.id)).deleted?.id).toBe(wordpress.id);
  });

  it('leaves no temp files behind', async () => {
    await Promise.all([1, 2, 3, 4].map((n) => store.addReferences(mysql.id, [parseReference(`mysql:${n}`)])));
    const names = await fs.readdir(path.join(root, 'images'));
    expect(names.filter((n) => n.startsWith('.tmp'))).toEqual([]);
    expect((await info('mysql:5.7')).repoTags).toEqual(['mysql:1', 'mysql:2', 'mysql:3', 'mysql:4', 'mysql:5.7']);
  });
});
