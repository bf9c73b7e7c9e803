import { chainId, chainIds } from '../../../../../../src/engine/bundled/images/store/chain-id';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

// the wordpress stand-in's diff IDs; expected values from `printf '%s %s' … | sha256sum`
const debian = 'sha256:bc34c07ef7188b74373c3c363fb9891505b239f83707672f1bde54288aef2aff';
const wordpress = 'sha256:f8b0efed7832fe1e3f67799eb3bc234ac0345d293917902fe2d91cd9baccc732';

describe('chainIds', () => {
  it('is the diff ID for the bottom layer and sha256(parent + " " + diffID) above it', () => {
    expect(chainIds([debian, wordpress])).toEqual([
      debian,
      'sha256:ecf557430ad81bf995e86887f32b50401fa88e37ee6a833f96ba4c40b429df8e',
    ]);
    expect(chainIds([debian, wordpress, debian])[2]).toBe('sha256:3636dd13b3f2d7559d6fa66aa432da0cdb13b648abac4ee555bdd2a85887a688');
    expect(chainIds([])).toEqual([]);
  });

  it('depends on what is below: the same diff ID on another base has another chain ID', () => {
    expect(chainId(undefined, wordpress)).toBe(wordpress);
    expect(chainId(debian, wordpress)).not.toBe(chainId(wordpress, wordpress));
  });

  it('rejects something that is not a digest', () => {
    expect(() => chainIds(['sha256:nothex'])).toThrow(InvalidArgumentError);
  });
});
