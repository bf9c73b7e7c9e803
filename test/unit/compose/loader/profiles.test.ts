import { allProfiles, applyProfiles } from '../../../../src/compose/loader/profiles';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

// The spec's illustrative example (15-profiles.md), with depends_on in long form.
const spec = parseYaml(
  `services:
  foo: {image: foo}
  bar: {image: bar, profiles: [test]}
  baz: {image: baz, profiles: [test], depends_on: {bar: {condition: service_started, required: true}}}
  zot: {image: zot, profiles: [debug], depends_on: {bar: {condition: service_started, required: true}}}
`,
  'c.yaml',
).tree;

const names = (r: { tree: { services?: unknown } }): string[] => Object.keys(r.tree.services as object).sort();

describe('profiles stage', () => {
  it('keeps only services without profiles when none is active', () => {
    expect(names(applyProfiles(spec, { profiles: [] }))).toEqual(['foo']);
  });

  it('enables services of an active profile', () => {
    expect(names(applyProfiles(spec, { profiles: ['test'] }))).toEqual(['bar', 'baz', 'foo']);
    expect(names(applyProfiles(spec, { profiles: ['test', 'debug'] }))).toEqual(['bar', 'baz', 'foo', 'zot']);
    expect(names(applyProfiles(spec, { profiles: ['*'] }))).toEqual(['bar', 'baz', 'foo', 'zot']);
  });

  it('lets a service named on the command line activate its own profiles, keeping it and its dependencies', () => {
    expect(names(applyProfiles(spec, { profiles: [], services: ['baz'] }))).toEqual(['bar', 'baz']);
    expect(names(applyProfiles(spec, { profiles: ['test'], services: ['zot'] }))).toEqual(['bar', 'zot']);
    expect(names(applyProfiles(spec, { profiles: [], services: ['foo'] }))).toEqual(['foo']);
  });

  it('follows list-form depends_on, links, volumes_from and service: modes when selecting', () => {
    const t = parseYaml(
      `services:
  web: {image: w, depends_on: [api], links: ["cache:c"]}
  api: {image: a, volumes_from: ["data:ro"], network_mode: "service:net"}
  cache: {image: c}
  data: {image: d}
  net: {image: n}
  other: {image: o}
`,
      'c.yaml',
    ).tree;
    expect(names(applyProfiles(t, { profiles: [], services: ['web'] }))).toEqual(['api', 'cache', 'data', 'net', 'web']);
  });

  it('treats a list-form dependency on a disabled service as required', () => {
    const t = parseYaml('services:\n  a: {image: a, depends_on: [b]}\n  b: {image: b, profiles: [x]}\n', 'c.yaml').tree;
    expect(() => applyProfiles(t, { profiles: [] })).toThrow(/c\.yaml:2:30  services\.a\.depends_on\[0\]  service "a" depends on "b", which is disabled: enable it with --profile x/);
  });

  it('rejects a required dependency on a disabled service, naming the profile', () => {
    expect(() => applyProfiles(spec, { profiles: ['debug'] })).toThrow(
      /c\.yaml:5:53  services\.zot\.depends_on\.bar  service "zot" depends on "bar", which is disabled: enable it with --profile test/,
    );
    expect(() => applyProfiles(spec, { profiles: [], services: ['zot'] })).toThrow(/depends on "bar", which is disabled/);
  });

  it('drops an optional dependency on a disabled service', () => {
    const t = parseYaml(
      'services:\n  a: {image: a, depends_on: {b: {condition: service_started, required: false}}}\n  b: {image: b, profiles: [x]}\n',
      'c.yaml',
    ).tree;
    const r = applyProfiles(t, { profiles: [] });
    expect(stripOrigins((r.tree.services as { a: { depends_on: TreeMap } }).a.depends_on)).toEqual({});
    expect(r.disabled).toEqual(['b']);
  });

  it('lists every declared profile and rejects unknown service names', () => {
    expect(allProfiles(spec)).toEqual(['debug', 'test']);
    expect(() => applyProfiles(spec, { profiles: [], services: ['nope'] })).toThrow(/no such service: nope/);
  });
});
