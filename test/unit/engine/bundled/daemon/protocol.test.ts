import { matchRoute, requestPath, ROUTES } from '../../../../../src/engine/bundled/daemon/protocol';
import { reviveError, toWireError } from '../../../../../src/engine/bundled/daemon/wire-error';
import { EngineError, InvalidArgumentError, ObjectConflictError, ObjectNotFoundError, RemoteError } from '../../../../../src/engine/errors';
import { RegistryError } from '../../../../../src/engine/bundled/images/registry/errors';

describe('routes', () => {
  it('build paths with the ID encoded and the query in order, and match them back', () => {
    const p = requestPath(ROUTES.containerLogs, 'web/1 x', { follow: true, tail: 10, since: undefined, stderr: false });
    expect(p).toBe('/containers/web%2F1%20x/logs?follow=1&tail=10&stderr=0');
    expect(matchRoute('GET', p.split('?')[0] as string)).toEqual({ name: 'containerLogs', id: 'web/1 x' });
    expect(requestPath(ROUTES.listContainers, undefined, { label: ['a=b', 'c'] })).toBe('/containers?label=a%3Db&label=c');
  });

  it('tell routes apart by method and shape', () => {
    expect(matchRoute('GET', '/containers')).toEqual({ name: 'listContainers' });
    expect(matchRoute('POST', '/containers')).toEqual({ name: 'createContainer' });
    expect(matchRoute('GET', '/containers/abc')).toEqual({ name: 'inspectContainer', id: 'abc' });
    expect(matchRoute('DELETE', '/containers/abc')).toEqual({ name: 'removeContainer', id: 'abc' });
    expect(matchRoute('PUT', '/containers/abc/archive')).toEqual({ name: 'copyTo', id: 'abc' });
    expect(matchRoute('GET', '/images/inspect')).toEqual({ name: 'inspectImage' });
    expect(matchRoute('GET', '/containers/a/b/logs')).toBeUndefined();
    expect(matchRoute('PATCH', '/containers')).toBeUndefined();
    expect(matchRoute('GET', '/containers//logs')).toBeUndefined();
  });

  it('every route has a distinct method and path', () => {
    const keys = Object.values(ROUTES).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('need the ID where the path has one', () => {
    expect(() => requestPath(ROUTES.startContainer, undefined)).toThrow('a container ID or name is required');
  });
});

describe('wire errors', () => {
  it('revive as the same class with the same message', () => {
    for (const err of [
      new InvalidArgumentError('bad'),
      new ObjectNotFoundError('No such container: x'),
      new ObjectConflictError('in use'),
      new RemoteError('registry down'),
      new EngineError('broken'),
    ]) {
      const back = reviveError(JSON.parse(JSON.stringify(toWireError(err))));
      expect(back.constructor).toBe(err.constructor);
      expect(back.message).toBe(err.message);
    }
  });

  it('send subclasses as their base kind and anything else as an engine error', () => {
    expect(toWireError(new RegistryError('denied', 'denied', 'registry x'))).toEqual({ kind: 'remote', message: 'denied' });
    expect(toWireError(new Error('EACCES: permission denied'))).toEqual({ kind: 'engine', message: 'EACCES: permission denied' });
    expect(toWireError('a string')).toEqual({ kind: 'engine', message: 'a string' });
  });
});
