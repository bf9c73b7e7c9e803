import { encodeFrame, FrameDecoder, FrameType, MAX_FRAME } from '../../../../../src/engine/bundled/daemon/exec-frames';

describe('exec frames', () => {
  it('decode whatever way the bytes are cut', () => {
    const frames = [
      encodeFrame(FrameType.options, '{"cmd":["sh"]}'),
      encodeFrame(FrameType.stdout, Buffer.from('hello')),
      encodeFrame(FrameType.stdin),
      encodeFrame(FrameType.stderr, Buffer.alloc(70_000, 9)),
      encodeFrame(FrameType.exit, '{"exitCode":3}'),
    ];
    const all = Buffer.concat(frames);
    for (const size of [1, 2, 5, 7, 4096, all.length]) {
      const decoder = new FrameDecoder();
      const got = [];
      for (let at = 0; at < all.length; at += size) got.push(...decoder.push(all.subarray(at, at + size)));
      expect(got.map((f) => f.type)).toEqual([6, 2, 1, 3, 4]);
      expect(got[0]?.payload.toString()).toBe('{"cmd":["sh"]}');
      expect(got[2]?.payload.length).toBe(0);
      expect(got[3]?.payload.equals(Buffer.alloc(70_000, 9))).toBe(true);
      expect(JSON.parse(got[4]?.payload.toString() ?? '')).toEqual({ exitCode: 3 });
      expect(decoder.pending).toBe(0);
    }
  });

  it('has a 5-byte header: type, then the big-endian length', () => {
    expect([...encodeFrame(FrameType.stdout, 'ab')]).toEqual([2, 0, 0, 0, 2, 97, 98]);
  });

  it('refuses a frame larger than the limit (a peer speaking something else)', () => {
    const header = Buffer.from([2, 0, 0, 0, 0]);
    header.writeUInt32BE(MAX_FRAME + 1, 1);
    expect(() => new FrameDecoder().push(header)).toThrow(`exec stream: frame of ${MAX_FRAME + 1} bytes is larger than ${MAX_FRAME}`);
  });
});
