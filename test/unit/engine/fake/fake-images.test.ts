import { PassThrough } from 'node:stream';
import type { PullEvent } from '../../../../src/engine/engine';
import { InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../../../../src/engine/errors';
import { FakeEngine } from '../../../../src/engine/fake/fake-engine';

let fake: FakeEngine;
beforeEach(() => {
  fake = new FakeEngine();
});

describe('FakeEngine images', () => {
  it('adds, inspects by name, ID and ID prefix, and lists images', async () => {
    const image = fake.addImage('mysql:5.7', { env: ['A=1'] });
    expect(image.repoTags).toEqual(['mysql:5.7']);
    expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await fake.inspectImage('docker.io/library/mysql:5.7')).id).toBe(image.id);
    expect((await fake.inspectImage(image.id.slice(7, 19))).id).toBe(image.id);
    expect((await fake.inspectImage(image.id)).config.env).toEqual(['A=1']);
    await expect(fake.inspectImage('mysql:8')).rejects.toThrow(new ObjectNotFoundError('No such image: mysql:8'));
    await expect(fake.inspectImage('Bad Name')).rejects.toBeInstanceOf(InvalidArgumentError);
    fake.addImage('redis', {});
    expect((await fake.listImages()).map((i) => i.repoTags[0]).sort()).toEqual(['mysql:5.7', 'redis:latest']);
  });

  it('pulls from the fake registry with progress events; unknown images fail as remote errors', async () => {
    fake.addRemoteImage('nginx:1', { cmd: ['nginx'] }, { layers: ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)], size: 2000 });
    const events: PullEvent[] = [];
    const image = await fake.pullImage('nginx:1', { onEvent: (e) => events.push(e) });
    expect(image.repoTags).toEqual(['nginx:1']);
    expect(image.repoDigests[0]).toMatch(/^nginx@sha256:[0-9a-f]{64}$/);
    expect(events.map((e) => (e.kind === 'layer' ? `${e.kind}:${e.status}` : e.kind))).toEqual([
      'resolving',
      'resolved',
      'layer:downloading',
      'layer:extracting',
      'layer:done',
      'layer:downloading',
      'layer:extracting',
      'layer:done',
      'done',
    ]);
    const again: PullEvent[] = [];
    await fake.pullImage('nginx:1', { onEvent: (e) => again.push(e) });
    expect(again.filter((e) => e.kind === 'layer').map((e) => (e.kind === 'layer' ? e.status : ''))).toEqual(['exists', 'exists']);
    const missing = fake.pullImage('nginx:2');
    await expect(missing).rejects.toBeInstanceOf(RemoteError);
    await expect(missing).rejects.toThrow('image not found: nginx:2 (the fake registry has no such manifest)');
    const controller = new AbortController();
    controller.abort(new Error('stop pulling'));
    await expect(fake.pullImage('nginx:1', { signal: controller.signal })).rejects.toThrow('stop pulling');
  });

  it('removes a tag, then the image; an image a container uses needs force', async () => {
    const image = fake.addImage('app:1', {}, { id: 'sha256:' + '1'.repeat(64) });
    fake.addImage('app:latest', {}, { id: image.id });
    expect(await fake.removeImage('app:latest')).toEqual({ untagged: ['app:latest'], deleted: [] });
    const c = await fake.createContainer({ name: 'user', image: 'app:1' });
    await expect(fake.removeImage('app:1')).rejects.toThrow(
      new ObjectConflictError(`conflict: unable to remove repository reference "app:1" (must force) - container ${c.id.slice(0, 12)} is using its referenced image 111111111111`),
    );
    await fake.startContainer('user');
    await expect(fake.removeImage(image.id, { force: true })).rejects.toThrow('(cannot be forced) - image is being used by running container');
    await fake.removeContainer('user', { force: true });
    expect(await fake.removeImage('app:1')).toEqual({ untagged: ['app:1'], deleted: [image.id] });
    await expect(fake.inspectImage(image.id)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('saves images to a tar and loads them back into another fake', async () => {
    const image = fake.addImage('tool:2', { entrypoint: ['/tool'] });
    const tar = new PassThrough();
    const chunks: Buffer[] = [];
    tar.on('data', (c: Buffer) => chunks.push(c));
    await fake.saveImages(['tool:2'], tar);
    await expect(fake.saveImages(['ghost'], new PassThrough())).rejects.toThrow('No such image: ghost');
    const other = new FakeEngine();
    const input = new PassThrough();
    input.end(Buffer.concat(chunks));
    const loaded = await other.loadImages(input);
    expect(loaded.map((i) => [i.id, i.repoTags])).toEqual([[image.id, ['tool:2']]]);
    expect((await other.inspectImage('tool:2')).config.entrypoint).toEqual(['/tool']);
    const junk = new PassThrough();
    junk.end(Buffer.alloc(1024));
    await expect(other.loadImages(junk)).rejects.toThrow('invalid image archive: it holds no fake-images.json');
  });
});
