import { parsePlatform } from '../../../../../src/cli/commands/image/pull';
import { InvalidArgumentError } from '../../../../../src/engine/errors';

describe('--platform', () => {
  it('takes os/arch[/variant], and a bare architecture means linux', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('Linux/AMD64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64' });
  });

  it.each(['', 'linux/', 'a/b/c/d', '/amd64'])('rejects %j', (text) => {
    expect(() => parsePlatform(text)).toThrow(InvalidArgumentError);
  });
});
