import { signalNumber } from '../../../../../../src/engine/bundled/containers/runtime/signal-number';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('signalNumber', () => {
  it.each([
    ['SIGTERM', 15],
    ['TERM', 15],
    ['term', 15],
    ['sigkill', 9],
    ['9', 9],
    [' SIGHUP ', 1],
    ['SIGUSR1', 10],
    ['SIGRTMIN', 34],
    ['RTMIN+3', 37],
    ['SIGRTMAX-2', 62],
    ['64', 64],
  ])('%s is %d', (name, n) => expect(signalNumber(name)).toBe(n));

  it.each(['SIGFOO', '0', '65', 'RTMIN+40', '', '-9'])('rejects %j', (name) => {
    expect(() => signalNumber(name)).toThrow(InvalidArgumentError);
  });
});
