import { parsePax } from '../../../../../../src/engine/bundled/images/unpack/pax';
import { paxBody } from './tar-builder';

test('records, in order, with binary values and = in values', () => {
  const body = paxBody({ path: 'a/b', 'SCHILY.xattr.user.x': Buffer.from([0, 10, 255]), comment: 'a=b\nc' });
  const records = parsePax(body, 'byte 0');
  expect([...records.keys()]).toEqual(['path', 'SCHILY.xattr.user.x', 'comment']);
  expect(records.get('path')!.toString()).toBe('a/b');
  expect([...records.get('SCHILY.xattr.user.x')!]).toEqual([0, 10, 255]);
  expect(records.get('comment')!.toString()).toBe('a=b\nc');
});

test('a later record of the same key wins; NUL padding ends the records', () => {
  const body = Buffer.concat([paxBody({ path: 'one' }), paxBody({ path: 'two' }), Buffer.alloc(20)]);
  expect(parsePax(body, 'x').get('path')!.toString()).toBe('two');
});

test.each([
  ['no length', 'path=x\n'],
  ['length too long', '99 path=x\n'],
  ['length too short', '3 path=x\n'],
  ['no newline at the end', '11 path=xyz'],
  ['no =', '9 pathx\n\n'],
  ['empty key', '8 =value\n'],
])('malformed: %s', (_, text) => {
  expect(() => parsePax(Buffer.from(text), 'byte 512')).toThrow(/malformed pax header at byte 512/);
});
