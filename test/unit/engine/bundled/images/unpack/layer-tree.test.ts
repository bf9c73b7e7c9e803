import * as fs from 'node:fs';
import * as path from 'node:path';
import { LayerError } from '../../../../../../src/engine/bundled/images/unpack/layer-error';
import { LayerTree } from '../../../../../../src/engine/bundled/images/unpack/layer-tree';
import { makeSandbox, type Sandbox } from './sandbox';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => {
  box.remove();
});

const refuse = (rel: string, problem: string): LayerError => new LayerError(`${rel} ${problem}`);

test('resolveDirs creates missing directories (0755) and caches them', () => {
  const tree = new LayerTree(box.target);
  expect(tree.resolveDirs(['a', 'b'], true, refuse)).toBe('a/b');
  expect(fs.lstatSync(path.join(box.target, 'a/b')).mode & 0o7777).toBe(0o755);
  fs.rmSync(path.join(box.target, 'a'), { recursive: true }); // behind its back: the cache answers
  expect(tree.resolveDirs(['a', 'b'], false, refuse)).toBe('a/b');
});

test('symlinks, files and missing components are refused', () => {
  const tree = new LayerTree(box.target);
  fs.symlinkSync(box.dir, path.join(box.target, 'link'));
  fs.writeFileSync(path.join(box.target, 'file'), '');
  expect(() => tree.resolveDirs(['link', 'x'], true, refuse)).toThrow(`link is a symbolic link (to ${JSON.stringify(box.dir)})`);
  expect(() => tree.resolveDirs(['file', 'x'], true, refuse)).toThrow('file is not a directory');
  expect(() => tree.resolveDirs(['missing'], false, refuse)).toThrow('missing does not exist in this layer');
  expect(fs.existsSync(path.join(box.target, 'missing'))).toBe(false);
});

test('a path goes stale when a parent is forgotten or made again', () => {
  const tree = new LayerTree(box.target);
  tree.resolveDirs(['a', 'b'], true, refuse);
  const file = tree.stamp(); // something made in a/b
  expect(tree.valid('a/b/f', file)).toBe(true);
  tree.forget('a');
  expect(tree.valid('a/b/f', file)).toBe(false);
  tree.markDir('a'); // a new a/
  expect(tree.valid('a/b/f', file)).toBe(false);
  expect(tree.valid('a/x', tree.stamp())).toBe(true);
  // a/b is re-checked on disk rather than trusted: it still exists here, and gets a new stamp.
  expect(tree.resolveDirs(['a', 'b'], false, refuse)).toBe('a/b');
  expect(tree.dirStamp('a/b')).toBeGreaterThan(tree.dirStamp('a')!);
});

test('root-level paths are always valid', () => {
  const tree = new LayerTree(box.target);
  expect(tree.valid('', 0)).toBe(true);
  expect(tree.valid('x', tree.stamp())).toBe(true);
});
