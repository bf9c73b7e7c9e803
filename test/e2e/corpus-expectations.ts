/**
 * What Docker Compose does with every YAML file of the conformance corpora
 * (../shared/conformance), loaded the way the corpus' own tests load it: the
 * data behind test/e2e/corpus.test.ts.
 *
 * Sources of each verdict:
 * - docker-compose-e2e: the Go e2e tests of docker/compose (pkg/e2e/*_test.go).
 *   They are NOT in the local copy (INDEX.md lists them, the folder lacks them);
 *   they were read from the public docker/compose repository. Stored versions
 *   differ from f72979427042 in places (older ones write the scenario inline
 *   instead of in testdata/<Test>/), so the command, flags and environment are
 *   those of the version read; `reason` quotes it, or INDEX.md's intent
 *   sentence when no version named the file.
 *   A scenario runs `docker compose -f testdata/<Test>/compose.yaml
 *   --project-name e2e-<test-name>` (scenario.go) from pkg/e2e; legacy tests run
 *   `-f ./fixtures/...` or `--project-directory fixtures/...` from pkg/e2e.
 *   Environment values the tests compute at run time (an image ID, a temp dir,
 *   the non-native platform) are replaced by a fixed value of the same kind.
 * - loader-attribute-cases: compose-go's loader/tests/<dir>_test.go. The
 *   helper load() (helpers_test.go) loads with SkipConsistencyCheck and
 *   SkipNormalization; our nearest equivalent is `normalize: false`, which
 *   skips normalization and the semantic checks. Each file is also loaded as
 *   `config` loads it (everything on): there the verdict is compose-go's
 *   checkConsistency (loader/validate.go), quoted in `reason`.
 * - awesome-compose: real-world projects, every one runs with `docker compose up`.
 *
 * `expect` is Docker Compose's behaviour, never ours: a case tscompose gets
 * wrong fails the test.
 */

export type Corpus = 'awesome-compose' | 'docker-compose-e2e' | 'loader-attribute-cases';

/** The model rendered by `config` must hold `equals` at `path` (dot-separated, numbers index lists). */
export interface OutputCheck {
  readonly path: string;
  /** Strings may contain `{corpus}`: the absolute path of ../shared/conformance. */
  readonly equals: unknown;
}

export interface CorpusCase {
  /** Unique; the test title. */
  readonly id: string;
  readonly corpus: Corpus;
  /** `-f` values, relative to ../shared/conformance, in order. Empty: file discovery. */
  readonly files: readonly string[];
  /** The shell's working directory, relative to ../shared/conformance (default: the first file's directory). */
  readonly cwd?: string;
  /** `--project-directory`, relative to ../shared/conformance. */
  readonly projectDirectory?: string;
  readonly projectName?: string;
  /** The shell environment (HOME is always a fresh empty directory; nothing else is inherited). */
  readonly env?: Readonly<Record<string, string>>;
  /** `--env-file` values, relative to ../shared/conformance. */
  readonly envFiles?: readonly string[];
  /** An `--env-file` the test writes to a temporary file first (the Go test does the same). */
  readonly envFileText?: string;
  readonly profiles?: readonly string[];
  /** Services named on the command line. */
  readonly services?: readonly string[];
  readonly interpolate?: false;
  readonly normalize?: false;
  /** Other corpus files this case reads through `include` / `extends` (relative to ../shared/conformance). */
  readonly reads?: readonly string[];
  readonly expect: 'accept' | 'reject';
  /** Why Docker Compose accepts or rejects it: a quote from its test, or the rule. */
  readonly reason: string;
  /** reject: the error must match this (the problem Docker Compose reports, located by key path). */
  readonly error?: RegExp;
  /** accept: values the rendered model must hold. */
  readonly checks?: readonly OutputCheck[];
  /** accept: the exact `config` YAML output (`{corpus}` as above). */
  readonly exactYaml?: string;
}

/** YAML files of the corpora that are not compose files at all. */
export const notComposeFiles: readonly { readonly prefix: string; readonly reason: string }[] = [
  {
    prefix: 'docker-compose-e2e/e2e/fixtures/bridge/expected-helm/',
    reason: 'Helm chart (Chart.yaml, values.yaml, templates/*): the expected output of `docker compose bridge convert` (bridge_test.go), not compose input',
  },
  {
    prefix: 'docker-compose-e2e/e2e/fixtures/bridge/expected-kubernetes/',
    reason: 'Kubernetes manifests and kustomizations: the expected output of `docker compose bridge convert` (bridge_test.go), not compose input',
  },
];

// ---------------------------------------------------------------------------------------------
// awesome-compose: loaded as `docker compose config` run in the project's directory (discovery).

const AWESOME = [
  'angular',
  'aspnet-mssql',
  'elasticsearch-logstash-kibana',
  'flask-redis',
  'gitea-postgres',
  'nextcloud-postgres',
  'nginx-aspnet-mysql',
  'nginx-flask-mysql',
  'nginx-golang-postgres',
  'nginx-nodejs-redis',
  'pihole-cloudflared-DoH',
  'portainer',
  'prometheus-grafana',
  'react-express-mysql',
  'react-nginx',
  'sparkjava-mysql',
  'spring-postgres',
  'vuejs',
  'wasmedge-mysql-nginx',
  'wordpress-mysql',
] as const;

/** The compose file of each awesome-compose project (all but one are compose.yaml). */
function awesomeComposeFile(project: (typeof AWESOME)[number]): string {
  return `awesome-compose/${project}/${project === 'wasmedge-mysql-nginx' ? 'compose.yml' : 'compose.yaml'}`;
}

const awesomeCases: CorpusCase[] = AWESOME.map((p) => ({
  id: `awesome-compose/${p}`,
  corpus: 'awesome-compose',
  files: [],
  cwd: `awesome-compose/${p}`,
  reads: [awesomeComposeFile(p)],
  expect: 'accept',
  reason: 'a runnable sample: its README runs `docker compose up -d` in this directory',
}));

// ---------------------------------------------------------------------------------------------
// docker-compose-e2e

const E2E = 'docker-compose-e2e/e2e';
const FX = `${E2E}/fixtures`;
const TD = `${E2E}/testdata`;

/** scenario.go projectNameFor: TestUpDryRunMissingImage -> e2e-up-dry-run-missing-image. */
export function projectNameFor(testName: string): string {
  const name = testName.replace(/^Test/, '');
  let out = '';
  let prev = '';
  for (const [i, ch] of [...name].entries()) {
    if (/[A-Z]/.test(ch)) {
      if (i > 0 && !/[A-Z]/.test(prev)) out += '-';
      out += ch.toLowerCase();
    } else if (/[a-z0-9]/.test(ch)) out += ch;
    else out += '-';
    prev = ch;
  }
  return 'e2e-' + out.replace(/^-+|-+$/g, '');
}

type ScenarioExtra = Partial<Omit<CorpusCase, 'id' | 'corpus' | 'expect' | 'reason'>> & { readonly variant?: string };

/** A NewScenario test: `-f testdata/<test>/compose.yaml --project-name e2e-...`, run from pkg/e2e. */
function scenario(test: string, expect: 'accept' | 'reject', reason: string, extra: ScenarioExtra = {}): CorpusCase {
  const { variant, ...rest } = extra;
  return {
    id: `e2e/testdata/${test}${variant ? ` (${variant})` : ''}`,
    corpus: 'docker-compose-e2e',
    files: [`${TD}/${test}/compose.yaml`],
    cwd: E2E,
    projectName: projectNameFor(test),
    expect,
    reason,
    ...rest,
  };
}

/** A legacy fixture loaded with -f from pkg/e2e. */
function fixture(file: string, expect: 'accept' | 'reject', reason: string, extra: ScenarioExtra = {}): CorpusCase {
  const { variant, ...rest } = extra;
  return {
    id: `e2e/fixtures/${file}${variant ? ` (${variant})` : ''}`,
    corpus: 'docker-compose-e2e',
    files: [`${FX}/${file}`],
    cwd: E2E,
    expect,
    reason,
    ...rest,
  };
}

const UP = 'the scenario`s first step runs `up` (or `create`/`run`/`build`) on this model and requires it to succeed';

const scenarioCases: CorpusCase[] = [
  scenario('TestActiveProfileViaTargetedService', 'accept', 'profiles_test.go: "targeting a profiled service must activate its profile implicitly"', {
    services: ['profiled-service'],
    checks: [{ path: 'services.profiled-service.image', equals: 'alpine' }],
  }),
  scenario('TestBuildDependentImage', 'accept', UP),
  scenario('TestBuildDependentImageWithProfile', 'accept', 'build_test.go: "build targeting a profiled service must activate its profile and mount its build secret"', {
    services: ['secret-build-test'],
  }),
  scenario('TestBuildDependsOn', 'accept', UP),
  scenario('TestBuildEscaped', 'accept', 'build_test.go: "a $$ escape in the model must reach the build literally"'),
  scenario('TestBuildLongOutputLine', 'accept', UP),
  scenario('TestBuildSecrets', 'accept', 'build_test.go TestBuildSecrets: build with cmd.Env SOME_SECRET=bar succeeds (icmd.Success)', {
    env: { SECRET_IMAGE: 'e2e-build-secrets-image', SOME_SECRET: 'bar' },
  }),
  scenario('TestBuildSubDependencies', 'accept', UP),
  scenario('TestBuildSubset', 'accept', UP),
  scenario('TestBuildTags', 'accept', 'build_test.go TestBuildTags: `build --no-cache` succeeds and the image carries every tag', {
    env: { TAG_IMAGE: 'build-test-tags' },
  }),
  scenario('TestCascadeFail', 'accept', UP),
  scenario('TestCascadeStop', 'accept', UP),
  scenario('TestCommentsInEnvFile', 'accept', 'compose_environment_test.go TestCommentsInEnvFile: `up -d --build` then `run`, both must succeed'),
  scenario('TestCommit', 'accept', UP),
  scenario('TestCommitWithReplicas', 'accept', UP),
  scenario('TestCompatibility', 'accept', 'compose_test.go TestCompatibility: `--compatibility ... up -d` succeeds'),
  scenario('TestComposeModel', 'accept', 'model_test.go: "a service bound to a model must receive the model runner`s URL"'),
  scenario('TestComposePull', 'accept', UP),
  scenario('TestComposeRun', 'accept', UP),
  scenario('TestComposeRunBuild', 'accept', UP),
  scenario('TestComposeRunDeps', 'accept', UP),
  scenario('TestComposeRunNotRequiredDeps', 'accept', 'compose_run_test.go: "run must skip a dependency marked required: false when its profile is inactive"'),
  scenario('TestComposeRunPorts', 'accept', UP),
  scenario('TestComposeRunPullAlways', 'accept', UP),
  scenario('TestComposeRunQuietPull', 'accept', UP),
  scenario('TestConfig', 'accept', 'compose_test.go: "config must render the canonical model, resolving the build context to an absolute path"', {
    checks: [
      { path: 'services.nginx.build.context', equals: `{corpus}/${TD}/TestConfig/nginx-build` },
      { path: 'services.nginx.build.dockerfile', equals: 'Dockerfile' },
    ],
  }),
  scenario('TestConfigFromEnv', 'accept', 'configs_test.go: "each config source — file, environment, inline content — must mount with the right content"', {
    env: { CONFIG: 'config' },
  }),
  scenario('TestConfigInterpolate', 'accept', 'compose_test.go TestConfigInterpolate: `config --no-interpolate` exits 0 with `dockerfile: ${MYVAR}` and an absolute context', {
    interpolate: false,
    checks: [
      { path: 'services.nginx.build.dockerfile', equals: '${MYVAR}' },
      { path: 'services.nginx.build.context', equals: `{corpus}/${TD}/TestConfigInterpolate/nginx-build` },
    ],
  }),
  scenario('TestCopy', 'accept', UP),
  scenario('TestCreateIdempotentDefaultPlatform', 'accept', 'image_identity_corner_test.go: `create` pulls the image and records its identity'),
  scenario('TestCreateIdempotentSharedImageMixedPlatforms', 'accept', 'image_identity_corner_test.go: s.Env("PINNED_PLATFORM="+s.NonNativePlatform()) then `create` succeeds', {
    env: { PINNED_PLATFORM: 'linux/arm64' },
    checks: [{ path: 'services.pinned.platform', equals: 'linux/arm64' }],
  }),
  scenario('TestCreateLocalMultiPlatformImage', 'accept', 'multiplatform_test.go: cmd.Env REQUESTED_PLATFORM=<non-native>, `create` must succeed (icmd.Success)', {
    env: { REQUESTED_PLATFORM: 'linux/arm64' },
  }),
  scenario('TestDependsOnMultipleProviders', 'accept', 'providers_test.go (INDEX.md: legacy/subtest): `up` with two provider services'),
  scenario('TestDotEnvProfileUsage', 'accept', 'profiles_test.go: "COMPOSE_PROFILES from the project`s .env must activate the profile"', {
    checks: [{ path: 'services.profiled-service.image', equals: 'alpine' }],
  }),
  scenario('TestEnvInterpolation', 'accept', 'compose_environment_test.go TestEnvInterpolation: cmd.Env WHEREAMI=shell, `config` outputs `IMAGE: default_env:shell`', {
    env: { WHEREAMI: 'shell' },
    checks: [{ path: 'services.env-interpolation.environment.IMAGE', equals: 'default_env:shell' }],
  }),
  scenario('TestEnvInterpolationDefaultValue', 'accept', 'compose_environment_test.go: `config` outputs `IMAGE: default_env:EnvFileDefaultValue`', {
    checks: [{ path: 'services.env-interpolation.environment.IMAGE', equals: 'default_env:EnvFileDefaultValue' }],
  }),
  scenario('TestEnvPriority', 'accept', 'compose_environment_test.go TestEnvPriority: `up -d --build`, then `run` with each env file'),
  scenario('TestEnvPriority', 'accept', 'compose_environment_test.go TestEnvPriority: `--env-file .env.override run ...` succeeds', {
    variant: '--env-file .env.override',
    envFiles: [`${TD}/TestEnvPriority/.env.override`],
  }),
  scenario('TestEnvPriority', 'accept', 'compose_environment_test.go TestEnvPriority: `--env-file .env.override.with.default run ...` prints EnvFileDefaultValue', {
    variant: '--env-file .env.override.with.default',
    envFiles: [`${TD}/TestEnvPriority/.env.override.with.default`],
  }),
  scenario('TestEnvPriority', 'accept', 'compose_environment_test.go TestEnvPriority "use Dockerfile": `--env-file .env.empty run ...` succeeds', {
    variant: '--env-file .env.empty',
    envFiles: [`${TD}/TestEnvPriority/.env.empty`],
  }),
  scenario('TestEnvPriorityComposeEnvFile', 'accept', 'compose_environment_test.go: "the project`s .env must feed run -e even when the service declares its own env_file"'),
  scenario('TestEnvPriorityComposeEnvironment', 'accept', 'compose_environment_test.go: "the caller`s environment must beat the compose file`s environment section"', {
    checks: [{ path: 'services.env-compose-priority.environment.WHEREAMI', equals: 'Compose File' }],
  }),
  scenario('TestExec', 'accept', UP),
  scenario('TestExplicitProfileUsage', 'accept', 'profiles_test.go: "with --profile, lifecycle commands must act on profiled and regular services alike"', {
    profiles: ['test-profile'],
    checks: [{ path: 'services.profiled-service.image', equals: 'alpine' }],
  }),
  scenario('TestExport', 'accept', UP),
  scenario('TestExportWithReplicas', 'accept', UP),
  scenario('TestExposeRange', 'accept', 'expose_test.go: "a port range in expose must be accepted"'),
  scenario('TestIPAMConfig', 'accept', UP),
  scenario('TestIPC', 'accept', 'ipc_test.go TestIPC: `up -d` succeeds; the container: mode names a container the test started first', {
    env: { EXTERNAL_NAME: 'ipc_mode_container' },
    checks: [{ path: 'services.container.ipc', equals: 'container:ipc_mode_container' }],
  }),
  scenario('TestImageVolume', 'accept', UP),
  scenario('TestImageVolumeImageAlreadyLocal', 'accept', UP),
  scenario('TestImageVolumeRecreateOnRebuild', 'accept', 'volumes_test.go: "rebuilding an image-volume source must recreate its consumer" (SOURCE_IMAGE set by the scenario)', {
    env: { SOURCE_IMAGE: 'e2e-image-volume-recreate-on-rebuild-source' },
  }),
  scenario('TestImagesAfterImageRemoved', 'accept', 'images_test.go: "images must list containers whose image record is gone" (REMOVED_IMAGE set by the scenario)', {
    env: { REMOVED_IMAGE: 'e2e-images-after-image-removed-image' },
  }),
  scenario('TestInitContainer', 'accept', UP),
  scenario('TestInterfaceName', 'accept', UP),
  scenario('TestLocalComposeConfig', 'accept', 'config_test.go TestLocalComposeConfig: ComposeCmd("config") outputs the long port form `mode: ingress, target: 80, published: "8080", protocol: tcp`', {
    checks: [{ path: 'services.test.ports.0', equals: { mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' } }],
  }),
  scenario('TestLocalComposeConfigNoConsistency', 'reject', 'config_test.go: "config --no-consistency must list resources of a model that would fail validation" — service `incomplete` has no image and no build (checkConsistency: `has neither an image nor a build context specified`)', {
    error: /neither an image nor a build/,
  }),
  scenario('TestLocalComposeConfigNoConsistency', 'accept', 'config_test.go: `config --no-consistency --services` lists "incomplete", `--models` lists "ai/example". tscompose has no --no-consistency; normalize:false (no semantic checks) is the nearest equivalent', {
    variant: 'without consistency checks',
    normalize: false,
    checks: [{ path: 'models.llm.model', equals: 'ai/example' }],
  }),
  scenario('TestLocalComposeExec', 'accept', UP),
  scenario('TestLocalComposeExecOneOff', 'accept', UP),
  scenario('TestLocalComposeLogs', 'accept', UP),
  scenario('TestLoggingDriver', 'accept', 'compose_up_test.go: "a logging-driver address change must reconfigure the service on the next up"', {
    env: { BAR: 'bar' },
  }),
  scenario('TestMacAddress', 'accept', UP),
  scenario('TestNetworkAliases', 'accept', UP),
  scenario('TestNetworkConfigChanged', 'accept', 'networks_test.go: "a network subnet change must recreate the network" (SUBNET has a default)'),
  scenario('TestNetworkLinks', 'accept', UP),
  scenario('TestNetworkModes', 'accept', UP),
  scenario('TestNoDepsNetworkMode', 'accept', 'noDeps_test.go: `up` first, then `up --no-deps` fails at run time because the provider container is gone'),
  scenario('TestNoDepsVolumeFrom', 'accept', 'noDeps_test.go: `up` first, then `up --no-deps` fails at run time because the volumes_from container is gone'),
  scenario('TestNoProfileUsage', 'accept', 'profiles_test.go: "without a profile, lifecycle commands must never materialize the profiled service"'),
  scenario('TestPause', 'accept', UP),
  scenario('TestPauseServiceAlreadyPaused', 'accept', UP),
  scenario('TestPauseServiceDoesNotExist', 'accept', 'pause_test.go: the model loads; only `pause` of an unknown service is rejected'),
  scenario('TestPauseServiceNotRunning', 'accept', UP),
  scenario('TestPortRange', 'accept', UP),
  scenario('TestPostStartAndPreStopHook', 'accept', 'hooks_test.go: ComposeCmd("up", "-d") must succeed'),
  scenario('TestPostStartHookInError', 'accept', 'hooks_test.go: `up -d` fails with "test hook exited with status 127" — a run-time failure, after loading'),
  scenario('TestPostStartHookSuccess', 'accept', 'hooks_test.go: ComposeCmd("up", "-d") must succeed'),
  scenario('TestPreStartHookBuildInheritance', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStartHookForceRecreate', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStartHookIdempotentReUp', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStartHookInError', 'accept', 'hooks_test.go: `up -d` fails on the hook exit code 17 — a run-time failure, after loading'),
  scenario('TestPreStartHookMidSequenceFailure', 'accept', 'hooks_test.go: `up -d` fails pointing at pre_start[1] — a run-time failure, after loading'),
  scenario('TestPreStartHookNotReRunOnScaleUp', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStartHookReRunOnSpecChange', 'accept', 'hooks_test.go: ComposeCmd("up", "-d", "--wait").WithEnv("HOOK_VERSION=v1") must succeed', {
    env: { HOOK_VERSION: 'v1' },
  }),
  scenario('TestPreStartHookRunsOnceForScaledService', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStartHookSequentialOrder', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStartHookSuccess', 'accept', 'hooks_test.go: `up -d --wait` must succeed'),
  scenario('TestPreStopHookInError', 'accept', 'hooks_test.go: ComposeCmd("up", "-d") must succeed; `down` fails later on the hook'),
  scenario('TestPreStopHookSuccess', 'accept', 'hooks_test.go: ComposeCmd("up", "-d") must succeed'),
  scenario('TestPreStopHookSuccessWithPreviousStop', 'accept', 'hooks_test.go: ComposeCmd("up", "-d") must succeed'),
  scenario('TestProviderRawSetEnv', 'accept', 'providers_test.go (INDEX.md: legacy/subtest): `up` with a provider service'),
  scenario('TestProviderRawSetEnvOverridesInheritedEnv', 'accept', 'providers_test.go (INDEX.md: legacy/subtest): `up` with a provider service'),
  scenario('TestProviderRawSetEnvOverridesInheritedEnvMapForm', 'accept', 'providers_test.go (INDEX.md: legacy/subtest): `up` with a provider service'),
  scenario('TestProviderRawSetEnvOverridesUserEnv', 'accept', 'providers_test.go (INDEX.md: legacy/subtest): `up` with a provider service'),
  scenario('TestProviderStopHook', 'accept', 'providers_test.go (INDEX.md: legacy/subtest): `up` with a provider service'),
  scenario('TestPsHonorsPsFormat', 'accept', UP),
  scenario('TestPublishBindMount', 'accept', 'publish_test.go: ComposeCmd("publish", "test/test", "--dry-run").WithStdin("y\\n") publishes'),
  scenario('TestPublishBuildOnly', 'accept', 'publish_test.go: publish refuses "your Compose stack cannot be published as it only contains a build section" — a publish rule, after loading'),
  scenario('TestPublishInterpolatedEnv', 'accept', 'publish_test.go: ComposeCmd("publish", "test/test", "-y", "--dry-run") succeeds', {
    env: { SOMEVAR: 'value' },
  }),
  scenario('TestPublishLocalInclude', 'accept', 'publish_test.go: publish refuses "cannot publish compose file with local includes" — a publish rule; the model itself loads', {
    reads: [`${TD}/TestPublishLocalInclude/common.yaml`],
    checks: [{ path: 'services.foo.image', equals: 'bar' }],
  }),
  scenario('TestPublishPromptAggregatesFindings', 'accept', 'publish_test.go: the prompt lists every finding (the model loads)'),
  scenario('TestPublishPromptEnvFile', 'accept', 'publish_test.go: "--with-env publishes without prompting"'),
  scenario('TestPublishPromptSuspiciousEnv', 'accept', 'publish_test.go: "--with-env publishes without prompting"'),
  scenario('TestPublishWithExtends', 'accept', 'publish_test.go: "a model using extends must publish, resolved"', {
    reads: [`${TD}/TestPublishWithExtends/common.yaml`],
    checks: [{ path: 'services.test.image', equals: 'bar' }],
  }),
  scenario('TestPullFailure', 'accept', 'pull_test.go: `pull` fails because the image cannot be pulled — after loading'),
  scenario('TestPullIgnoreFailures', 'accept', 'pull_test.go: "pull --ignore-pull-failures must succeed"'),
  scenario('TestPullImagePresentLocally', 'accept', UP),
  scenario('TestPullNoImageNameGiven', 'accept', 'pull_test.go: "pull must skip a build-only service instead of failing"'),
  scenario('TestPullRefreshWindowExplicitPull', 'accept', 'image_identity_corner_test.go: ComposeCmd("pull") must succeed'),
  scenario('TestRawEnvFile', 'accept', 'env_file_test.go TestRawEnvFile: `run test` prints `\'{"key": "value"}\'` — a raw env_file keeps its quotes', {
    checks: [{ path: 'services.test.environment.TEST_VAR', equals: '\'{"key": "value"}\'' }],
  }),
  scenario('TestRecreateWithNoDeps', 'accept', UP),
  scenario('TestRemoveOrphaned', 'accept', UP),
  scenario('TestRemoveOrphans', 'accept', 'orphans_test.go: "up must honor COMPOSE_REMOVE_ORPHANS declared in the project`s .env"'),
  scenario('TestRestart', 'accept', 'SCENARIO.md: ComposeCmd("up", "-d") then ComposeCmd("restart") must succeed'),
  scenario('TestRm', 'accept', UP),
  scenario('TestRunBuildOnceDependency', 'accept', UP),
  scenario('TestRunBuildOnceNestedDependencies', 'accept', UP),
  scenario('TestRunBuildOnceNoDeps', 'accept', UP),
  scenario('TestRunEnvFile', 'accept', 'env_file_test.go: "run must resolve the service`s env_file relative to the project directory" (`run serviceC`, which enables its profile)', {
    services: ['serviceC'],
    checks: [{ path: 'services.serviceC.environment.FOO', equals: 'BAR' }],
  }),
  scenario('TestScaleBasicCases', 'accept', UP),
  scenario('TestScaleDoesntRecreate', 'accept', 'up_test.go TestScaleDoesntRecreate: ComposeCmd("up", "-d") must succeed'),
  scenario('TestScaleDownNoRecreate', 'accept', UP),
  scenario('TestScaleDownRemovesObsolete', 'accept', UP),
  scenario('TestScaleUpAndDownPreserveContainerNumber', 'accept', UP),
  scenario('TestScaleWithDepsCases', 'accept', UP),
  scenario('TestSecretFromEnv', 'accept', 'secrets_test.go: "an environment-sourced secret must be mounted with its content"', {
    env: { SECRET: 'a-secret' },
    reads: [`${TD}/TestSecretFromEnv/child/compose.yaml`],
    checks: [{ path: 'services.included.image', equals: 'alpine' }],
  }),
  scenario('TestSecretFromInclude', 'accept', 'secrets_test.go: "a secret declared by an included project must resolve from the include`s env_file"', {
    env: { SECRET: 'a-secret' },
    reads: [`${TD}/TestSecretFromInclude/child/compose.yaml`],
    checks: [{ path: 'services.included.image', equals: 'alpine' }],
  }),
  scenario('TestStartInterval', 'accept', 'healthcheck_test.go TestStartInterval: `up --wait -d error` fails with "healthcheck.start_interval requires healthcheck.start_period to be set", but `up --wait -d test` on the SAME file succeeds: the check is made when creating the `error` container, not when loading', {
    checks: [{ path: 'services.error.healthcheck.start_interval', equals: '1s' }],
  }),
  scenario('TestStartSingleServiceAndDependency', 'accept', UP),
  scenario('TestStartStop', 'accept', 'start_stop_test.go TestStartStop: `up -d` must succeed'),
  scenario('TestStartStopWithDependencies', 'accept', 'start_stop_test.go: `up -d` must succeed'),
  scenario('TestStartStopWithOneOffs', 'accept', 'start_stop_test.go: `up -d` must succeed'),
  scenario('TestStdoutStderr', 'accept', UP),
  scenario('TestStopWithDependenciesAttached', 'accept', 'compose_test.go: `up --attach-dependencies foo` reports "exited with code 0"'),
  scenario('TestUnnecessaryResources', 'accept', 'compose_test.go TestUnnecessaryResources: `up -d` fails with "network foo_bar declared as external, but could not be found" (engine lookup), `up -d test` on the same file succeeds'),
  scenario('TestUnsetEnv', 'accept', 'compose_environment_test.go TestUnsetEnv: `build`, then `run -e EMPTY=hello` must succeed'),
  scenario('TestUpBuildUnchangedContext', 'accept', UP),
  scenario('TestUpContainerNameConflict', 'accept', 'container_name_test.go: `up` fails with `container name "test" is already in use`, then `up test` and `up another_test` on the SAME file succeed: the unicity check (types.Project.CheckContainerNameUnicity) runs on the services being created, not when loading', {
    env: { FIXED_NAME: 'test' },
    checks: [
      { path: 'services.test.container_name', equals: 'test' },
      { path: 'services.another_test.container_name', equals: 'test' },
    ],
  }),
  scenario('TestUpDryRunMissingImage', 'accept', 'image_identity_corner_test.go: ComposeCmd("--dry-run", "up", "-d") must succeed'),
  scenario('TestUpExitCodeFrom', 'accept', UP),
  scenario('TestUpExitCodeFromContainerKilled', 'accept', UP),
  scenario('TestUpIdempotentContainerdStore', 'accept', UP),
  scenario('TestUpImageID', 'accept', 'up_test.go TestUpImageID: Env("ID="+id), ComposeCmd("up") must succeed', {
    env: { ID: 'a4f5c0b3e6d2a9f1c8b7e0d3a2c1f4e5b6a7d8c9e0f1a2b3c4d5e6f7a8b9c0d1' },
    checks: [{ path: 'services.test.image', equals: 'a4f5c0b3e6d2a9f1c8b7e0d3a2c1f4e5b6a7d8c9e0f1a2b3c4d5e6f7a8b9c0d1' }],
  }),
  scenario('TestUpImageID', 'reject', 'the model`s own template `${ID:?ID variable must be set}`: without ID, interpolation fails with that message (the Go test always sets ID)', {
    variant: 'ID unset',
    error: /ID variable must be set/,
  }),
  scenario('TestUpNoDeps', 'accept', UP),
  scenario('TestUpProfile', 'accept', 'up_test.go TestUpProfile: ComposeCmd("up", "foo") starts foo and db, not bar', {
    services: ['foo'],
    checks: [{ path: 'services.foo.image', equals: 'alpine' }],
  }),
  scenario('TestUpRecreateVolumes', 'accept', UP),
  scenario('TestUpRecreateVolumesIgnoreBinds', 'accept', UP),
  scenario('TestUpServiceUnhealthy', 'accept', 'up_test.go: `up -d` fails with "container ... is unhealthy" — a run-time failure, after loading'),
  scenario('TestUpStopWithLogsMixed', 'accept', 'up_test.go: ComposeCmd("up", "--abort-on-container-exit") must succeed'),
  scenario('TestUpSwitchVolumes', 'accept', 'volumes_test.go: "switching a service`s external volume must reconnect the container to the new one"', {
    env: { EXTERNAL_VOLUME: 'test_external_volume' },
    checks: [{ path: 'volumes.my_vol.name', equals: 'test_external_volume' }],
  }),
  scenario('TestUpWait', 'accept', UP),
  scenario('TestUpWaitTimeout', 'accept', UP),
  scenario('TestUpWithAllResources', 'accept', 'up_test.go TestUpWithAllResources: `--all-resources up` creates the unused volume and network (a model without services)'),
  scenario('TestUpWithBuildDependencies', 'accept', 'up_test.go: Env("BUILT_IMAGE="+image), ComposeCmd("up", "-d") must succeed', {
    env: { BUILT_IMAGE: 'e2e-up-with-build-dependencies-built' },
    checks: [{ path: 'services.bar.image', equals: 'e2e-up-with-build-dependencies-built' }],
  }),
  scenario('TestUpWithDependencyExit', 'accept', 'up_test.go: `up -d` fails with "dependency failed to start" — a run-time failure, after loading'),
  scenario('TestUpWithDependencyNotRequired', 'accept', 'up_test.go: ComposeCmd("--profile", "not-required", "up", "-d") must succeed', {
    profiles: ['not-required'],
  }),
  scenario('TestWaitAndDrop', 'accept', UP),
  scenario('TestWaitOnFaster', 'accept', UP),
  scenario('TestWaitOnSlower', 'accept', UP),
];

const fixtureCases: CorpusCase[] = [
  {
    id: 'e2e/fixtures/attach-restart (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/attach-restart`,
    reads: [`${FX}/attach-restart/compose.yaml`],
    expect: 'accept',
    reason: 'compose_test.go TestAttachRestart: NewDockerComposeCmd(t, "--ansi=never", "--project-directory", "./fixtures/attach-restart", "up")',
  },
  fixture('bridge/compose.yaml', 'accept', 'bridge_test.go TestConvertAndTransformList: `bridge convert` of this model succeeds'),
  fixture('bridge-build-only/compose.yaml', 'accept', 'bridge_test.go TestConvertBuildOnlyService: `bridge convert` of this model'),
  {
    id: 'e2e/fixtures/build-dependencies/compose.yaml (COMPOSE_FILE)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    env: { COMPOSE_FILE: './fixtures/build-dependencies/compose.yaml' },
    reads: [`${FX}/build-dependencies/compose.yaml`],
    expect: 'accept',
    reason: 'build_test.go TestBuildImageDependencies: NewCLI(t, WithEnv("COMPOSE_FILE=./fixtures/build-dependencies/compose.yaml")), `build` must succeed',
  },
  fixture('build-dependencies/classic.yaml', 'accept', 'INDEX.md: fixtures/build-dependencies, TestBuildImageDependencies (the classic-builder variant of compose.yaml)'),
  fixture('build-infinite/compose.yaml', 'accept', 'cancel_test.go TestComposeCancel: `build` starts (and is cancelled later)'),
  {
    id: 'e2e/fixtures/build-test (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/build-test`,
    reads: [`${FX}/build-test/compose.yaml`],
    expect: 'accept',
    reason: 'build_test.go TestLocalComposeBuild: RunDockerComposeCmd(t, "--project-directory", "fixtures/build-test", "build")',
  },
  fixture('build-test/entitlements/compose.yaml', 'accept', 'INDEX.md: fixtures/build-test, TestBuildEntitlements (build with entitlements)'),
  fixture('build-test/minimal/compose.yaml', 'accept', 'INDEX.md: fixtures/build-test, minimal build project'),
  {
    id: 'e2e/fixtures/build-test/multi-args (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/build-test/multi-args`,
    reads: [`${FX}/build-test/multi-args/compose.yaml`],
    expect: 'accept',
    reason: 'build_test.go: NewDockerComposeCmd(t, "--project-directory", "fixtures/build-test/multi-args", "build")',
  },
  {
    id: 'e2e/fixtures/build-test/platforms (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/build-test/platforms`,
    reads: [`${FX}/build-test/platforms/compose.yaml`],
    expect: 'accept',
    reason: 'build_test.go "multi-arch build ok": --project-directory fixtures/build-test/platforms build, assert.NilError',
  },
  fixture('build-test/platforms/compose-multiple-platform-builds.yaml', 'accept', 'build_test.go "multi-arch multi service builds ok": assert.NilError(t, res.Error)', {
    projectDirectory: `${FX}/build-test/platforms`,
  }),
  fixture('build-test/platforms/compose-service-platform-and-no-build-platforms.yaml', 'accept', 'build_test.go "use service platform value when no build platforms defined": assert.NilError(t, res.Error)', {
    projectDirectory: `${FX}/build-test/platforms`,
  }),
  fixture(
    'build-test/platforms/compose-service-platform-not-in-build-platforms.yaml',
    'reject',
    'build_test.go "service platform not defined in platforms build section": ExitCode 1, Err `service.build.platforms MUST include service.platform "linux/riscv64"` — compose-go checkConsistency, i.e. at load time',
    { projectDirectory: `${FX}/build-test/platforms`, error: /linux\/riscv64/ },
  ),
  fixture('build-test/platforms/compose-unsupported-platform.yml', 'accept', 'build_test.go "platform not supported by builder": fails with "no match for platform" from the builder, after loading', {
    projectDirectory: `${FX}/build-test/platforms`,
  }),
  {
    id: 'e2e/fixtures/build-test/privileged (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/build-test/privileged`,
    reads: [`${FX}/build-test/privileged/compose.yaml`],
    expect: 'accept',
    reason: 'build_test.go TestBuildPrivileged: RunDockerComposeCmd(t, "--project-directory", "fixtures/build-test/privileged", "build")',
  },
  {
    id: 'e2e/fixtures/build-test/ssh (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/build-test/ssh`,
    reads: [`${FX}/build-test/ssh/compose.yaml`],
    expect: 'accept',
    reason: 'build_test.go TestBuildSSH: RunDockerComposeCmd(t, "--project-directory", "fixtures/build-test/ssh", "build")',
  },
  fixture('build-test/ssh/compose-without-ssh.yaml', 'accept', 'build_test.go TestBuildSSH: -f fixtures/build-test/ssh/compose-without-ssh.yaml --project-directory fixtures/build-test/ssh build --ssh ...', {
    projectDirectory: `${FX}/build-test/ssh`,
  }),
  fixture('cascade/compose.yaml', 'accept', 'cascade_test.go TestCascadeIgnoresOneOffContainer: `up` on this model'),
  fixture('config_hash/compose.yaml', 'accept', 'config_test.go TestConfigHashMatchesContainerLabel: -f ./fixtures/config_hash/compose.yaml --project-name compose-e2e-config-hash config --hash <service>', {
    projectName: 'compose-e2e-config-hash',
    checks: [{ path: 'services.with-env-file.environment.EXAMPLE', equals: 'value' }],
  }),
  {
    id: 'e2e/fixtures/dotenv (COMPOSE_FILE from the working directory`s .env)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: `${FX}/dotenv`,
    reads: [`${FX}/dotenv/development/compose.yaml`],
    expect: 'accept',
    reason: 'compose_test.go TestComposeFileSetByDotEnv: `config` with cmd.Dir fixtures/dotenv: ExitCode 0, Out "image: test:latest" and "image: enabled:profile"',
    checks: [
      { path: 'services.backend.image', equals: 'test:latest' },
      { path: 'services.test.image', equals: 'enabled:profile' },
    ],
  },
  {
    id: 'e2e/fixtures/dotenv/development (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/dotenv/development`,
    reads: [`${FX}/dotenv/development/compose.yaml`],
    expect: 'accept',
    reason: 'compose_test.go TestComposeFileSetByProjectDirectory: --project-directory fixtures/dotenv/development config: ExitCode 0, Out "image: backend:latest"',
    checks: [{ path: 'services.backend.image', equals: 'backend:latest' }],
  },
  {
    id: 'e2e/fixtures/dotenv/development (COMPOSE_FILE from --env-file)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    envFileText: 'COMPOSE_FILE=fixtures/dotenv/development/compose.yaml\nIMAGE_NAME=test\nIMAGE_TAG=latest\nCOMPOSE_PROFILES=test\n',
    reads: [`${FX}/dotenv/development/compose.yaml`],
    expect: 'accept',
    reason: 'compose_test.go TestComposeFileSetByEnvFile: --env-file <temp file with COMPOSE_FILE=...> config: Out "image: test:latest" and "image: enabled:profile"',
    checks: [
      { path: 'services.backend.image', equals: 'test:latest' },
      { path: 'services.test.image', equals: 'enabled:profile' },
    ],
  },
  fixture('env_file/compose.yaml', 'reject', 'serviceB`s env_file /doesnotexist/.env is required and missing: resolving the service environment (which `config` does for every service) fails with "env file /doesnotexist/.env not found". INDEX.md: TestUnusedMissingEnvFile — only commands on the other services may ignore it', {
    error: /services\.serviceB\.env_file/,
  }),
  fixture('env_file/compose.yaml', 'accept', 'env_file_test.go TestUnusedMissingEnvFile: `up -d serviceA` succeeds although serviceB`s env file is missing (compose-go TestWithSelectedServicesOption_SkipsMissingEnvFile: the env files of services not selected are not read)', {
    variant: 'serviceA only',
    services: ['serviceA'],
    checks: [{ path: 'services.serviceA.image', equals: 'nginx:latest' }],
  }),
  fixture('logs-test/cat.yaml', 'accept', 'logs_test.go TestLocalComposeLargeLogs: FILE=<a text file> then `up` on cat.yaml', {
    env: { FILE: '/tmp/tscompose-corpus-text_file.txt' },
    checks: [{ path: 'services.test.volumes.0.source', equals: '/tmp/tscompose-corpus-text_file.txt' }],
  }),
  fixture('logs-test/compose.yaml', 'accept', 'logs_test.go TestLocalComposeLogsFollow: `up -d` on this model'),
  fixture('logs-test/restart.yaml', 'accept', 'logs_test.go: `up` on restart.yaml (INDEX.md: fixtures/logs-test)'),
  {
    id: 'e2e/fixtures/nested (working directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: `${FX}/nested`,
    reads: [`${FX}/nested/compose.yaml`],
    expect: 'accept',
    reason: 'compose_test.go TestNestedDotEnv: `run echo` with cmd.Dir fixtures/nested: ExitCode 0, Out "root win=root"',
    checks: [{ path: 'services.echo.command', equals: ['echo', 'root', 'win=root'] }],
  },
  {
    id: 'e2e/fixtures/nested (working directory sub/, compose file found in the parent)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: `${FX}/nested/sub`,
    reads: [`${FX}/nested/compose.yaml`],
    expect: 'accept',
    reason: 'compose_test.go TestNestedDotEnv: `run echo` with cmd.Dir fixtures/nested/sub: ExitCode 0, Out "root sub win=sub" (the working directory`s .env and the project`s .env both apply, the working directory`s winning)',
    checks: [{ path: 'services.echo.command', equals: ['echo', 'root', 'sub', 'win=sub'] }],
  },
  fixture('network-recreate/compose.yaml', 'accept', 'networks_test.go TestNetworkRecreate: `up -d` on this model'),
  fixture('network-test/compose.yaml', 'accept', 'networks_test.go TestNetworks: `up -d` on this model'),
  {
    id: 'e2e/fixtures/project-volume-bind-test (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/project-volume-bind-test`,
    projectName: 'compose-e2e-project-volume-bind',
    env: { TEST_DIR: '/tmp/compose-e2e-project-volume-bind' },
    reads: [`${FX}/project-volume-bind-test/docker-compose.yml`],
    expect: 'accept',
    reason: 'volumes_test.go TestProjectVolumeBind: NewCmdWithEnv([]string{"TEST_DIR=" + tmpDir}, "docker", "compose", "--project-directory", "fixtures/project-volume-bind-test", ..., "up", "-d") — icmd.Success',
    checks: [{ path: 'volumes.project-data.driver_opts.device', equals: '/tmp/compose-e2e-project-volume-bind' }],
  },
  fixture('ps-test/compose.yaml', 'accept', 'ps_test.go TestPs: `up -d` on this model'),
  fixture('publish/oci/compose.yaml', 'accept', 'publish_test.go TestPublish: the base of the published model (extends extends.yaml)', {
    reads: [`${FX}/publish/oci/extends.yaml`],
    checks: [{ path: 'services.app.image', equals: 'alpine' }],
  }),
  {
    id: 'e2e/fixtures/publish/oci/compose.yaml + compose-override.yaml',
    corpus: 'docker-compose-e2e',
    files: [`${FX}/publish/oci/compose.yaml`, `${FX}/publish/oci/compose-override.yaml`],
    cwd: E2E,
    projectName: 'oci',
    reads: [`${FX}/publish/oci/extends.yaml`],
    expect: 'accept',
    reason: 'publish_test.go TestPublish: -f ./fixtures/publish/oci/compose.yaml -f ./fixtures/publish/oci/compose-override.yaml publish --with-env: ExitCode 0; the published model`s `config` is `app: {environment: {HELLO: WORLD}, image: alpine}` (compose-override.yaml alone has no image: it is only ever used as this override)',
    checks: [
      { path: 'services.app.image', equals: 'alpine' },
      { path: 'services.app.environment.HELLO', equals: 'WORLD' },
    ],
  },
  fixture('publish/oci/compose-interpolated.yaml', 'accept', 'publish_test.go TestPublish: -f ./fixtures/publish/oci/compose-interpolated.yaml publish --with-env --yes: ExitCode 0', {
    checks: [{ path: 'services.app.environment.GREETING', equals: 'hello' }],
  }),
  fixture('restart-test/compose-depends-on.yaml', 'accept', 'restart_test.go TestRestartWithDependencies: `up -d` on this model'),
  fixture('restart-test/compose.yaml', 'accept', 'restart_test.go TestRestartWithProfiles: `up -d` on this model'),
  fixture('run-test/piped-test.yaml', 'accept', 'compose_run_test.go TestComposeRunPipedInput: `run piped-test` on this model'),
  fixture('sentences/compose.yaml', 'accept', 'compose_test.go TestLocalComposeUp: RunDockerComposeCmd(t, "-f", "./fixtures/sentences/compose.yaml", "--project-name", projectName, "up", "-d")'),
  fixture('simple-build-test/compose.yaml', 'accept', 'compose_test.go TestConfig: -f ./fixtures/simple-build-test/compose.yaml -p compose-e2e-convert config: ExitCode 0 and exactly this output', {
    projectName: 'compose-e2e-convert',
    exactYaml:
      'name: compose-e2e-convert\nservices:\n  nginx:\n    build:\n      context: {corpus}/docker-compose-e2e/e2e/fixtures/simple-build-test/nginx-build\n      dockerfile: Dockerfile\n    networks:\n      default: null\nnetworks:\n  default:\n    name: compose-e2e-convert_default\n',
  }),
  fixture('simple-build-test/compose-interpolate.yaml', 'accept', 'compose_test.go TestConfigInterpolate: -f ./fixtures/simple-build-test/compose-interpolate.yaml -p compose-e2e-convert-interpolate config --no-interpolate: ExitCode 0, `dockerfile: ${MYVAR}`', {
    projectName: 'compose-e2e-convert-interpolate',
    interpolate: false,
    checks: [
      { path: 'services.nginx.build.dockerfile', equals: '${MYVAR}' },
      { path: 'services.nginx.build.context', equals: `{corpus}/${FX}/simple-build-test/nginx-build` },
      { path: 'networks.default.name', equals: 'compose-e2e-convert-interpolate_default' },
    ],
  }),
  fixture('simple-composefile/compose.yaml', 'accept', 'compose_test.go TestRm: -f ./fixtures/simple-composefile/compose.yaml -p compose-e2e-rm up -d', {
    projectName: 'compose-e2e-rm',
  }),
  fixture('start-stop/compose.yaml', 'accept', 'start_stop_test.go TestStartStop: -f ./fixtures/start-stop/compose.yaml up -d'),
  fixture('start-stop/other.yaml', 'accept', 'INDEX.md: fixtures/start-stop, TestStartStopMultipleFiles (a second, complete project file brought up on its own)'),
  fixture('ups-deps-stop/compose.yaml', 'accept', 'up_test.go TestUpDependenciesNotStopped: -f=./fixtures/ups-deps-stop/compose.yaml up app'),
  fixture('ups-deps-stop/orphan.yaml', 'accept', 'up_test.go TestUpDependenciesNotStopped: -f=./fixtures/ups-deps-stop/orphan.yaml up --wait --detach orphan'),
  {
    id: 'e2e/fixtures/volume-test (--project-directory)',
    corpus: 'docker-compose-e2e',
    files: [],
    cwd: E2E,
    projectDirectory: `${FX}/volume-test`,
    projectName: 'compose-e2e-volume',
    reads: [`${FX}/volume-test/compose.yaml`],
    expect: 'accept',
    reason: 'volumes_test.go TestLocalComposeVolume: RunDockerComposeCmd(t, "--project-directory", "fixtures/volume-test", "--project-name", projectName, "up", "-d")',
    checks: [{ path: 'volumes.otherVol.name', equals: 'myVolume' }],
  },
  fixture('wait/compose.yaml', 'accept', 'wait_test.go TestWaitOnInfinity: `up -d` on this model'),
  fixture('watch/compose.yaml', 'accept', 'watch_test.go: `watch` on this model'),
  fixture('watch/exec.yaml', 'accept', 'watch_test.go: `watch` with a sync+exec rule'),
  fixture('watch/include.yaml', 'accept', 'watch_test.go: `watch` with an include filter'),
  fixture('watch/rebuild-deps.yaml', 'accept', 'watch_test.go: `watch` with a rebuild rule and a dependency'),
  fixture('watch/rebuild.yaml', 'accept', 'watch_test.go: `watch` with rebuild rules'),
  fixture('watch/symlink.yaml', 'accept', 'watch_test.go: `watch` syncing through a symlink'),
  fixture('watch/with-external-network.yaml', 'accept', 'watch_test.go TestRebuildOnDotEnvWithExternalNetwork: `up` then `watch`'),
  fixture('watch/x-initialSync.yaml', 'accept', 'watch_test.go: `watch` with an x-initialSync extension on the rule'),
  fixture('wrong-composefile/build-error.yml', 'accept', 'INDEX.md: "build-error.yml (failing Dockerfile)" — fails when building, after loading'),
  fixture('wrong-composefile/compose.yaml', 'reject', 'INDEX.md: "invalid compose.yaml": `wrongField` is not a service attribute (schema: additional properties not allowed)', {
    error: /services\.simple\.wrongField/,
  }),
  fixture('wrong-composefile/unknown-image.yml', 'accept', 'INDEX.md: "unknown-image.yml (pull failure)" — fails when pulling, after loading'),
  {
    id: 'compose/testdata/compose.yaml',
    corpus: 'docker-compose-e2e',
    files: ['docker-compose-e2e/compose/testdata/compose.yaml'],
    expect: 'accept',
    reason: 'INDEX.md: compose/testdata, unit-test data of pkg/compose (a two-service model)',
  },
  {
    id: 'compose/testdata/publish/compose.yaml',
    corpus: 'docker-compose-e2e',
    files: ['docker-compose-e2e/compose/testdata/publish/compose.yaml'],
    reads: ['docker-compose-e2e/compose/testdata/publish/common.yaml'],
    expect: 'accept',
    reason: 'INDEX.md: compose/testdata/publish, unit-test data of pkg/compose publish (extends common.yaml, env_file test.env in three syntaxes)',
    checks: [
      { path: 'services.test.image', equals: 'bar' },
      { path: 'services.mapping.environment.HELLO', equals: 'WORLD' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// loader-attribute-cases: one row per file, expanded into two cases.

const ATTR = 'compose-go/extracted/loader-attribute-cases';

interface AttributeRow {
  readonly dir: string;
  readonly test: string;
  readonly env?: Readonly<Record<string, string>>;
  /** How the Go test loads it: load()/loadWithEnv() unless said otherwise. */
  readonly go?: { readonly expect: 'reject'; readonly reason: string; readonly error: RegExp } | { readonly expect: 'accept'; readonly reason: string };
  /** `config` (consistency checks on): accepted unless said otherwise. */
  readonly config?: { readonly expect: 'reject'; readonly reason: string; readonly error: RegExp };
}

const noImage = (service: string): { expect: 'reject'; reason: string; error: RegExp } => ({
  expect: 'reject',
  reason: `checkConsistency: "service ${JSON.stringify(service)} has neither an image nor a build context specified" (the Go test skips the consistency check)`,
  error: /neither an image nor a build/,
});

const ATTRIBUTE_ROWS: readonly AttributeRow[] = [
  { dir: 'annotations', test: 'TestAnnotations' },
  { dir: 'attach', test: 'TestAttach' },
  { dir: 'blkio_config', test: 'TestBlkioConfig' },
  { dir: 'build', test: 'TestBuildConfig' },
  { dir: 'build', test: 'TestBuildSSH' },
  { dir: 'build', test: 'TestBuildSecrets' },
  { dir: 'build', test: 'TestDockerfileInline' },
  { dir: 'build_extra', test: 'TestBuildAttestations' },
  { dir: 'build_extra', test: 'TestBuildCacheTo' },
  { dir: 'build_extra', test: 'TestBuildEntitlements' },
  { dir: 'build_extra', test: 'TestBuildIsolation' },
  { dir: 'build_extra', test: 'TestBuildNoCache' },
  { dir: 'build_extra', test: 'TestBuildNoCacheFilter' },
  { dir: 'build_extra', test: 'TestBuildPrivileged' },
  { dir: 'build_extra', test: 'TestBuildPull' },
  { dir: 'build_extra', test: 'TestBuildShmSize' },
  { dir: 'cap_add_drop', test: 'TestCapAddDrop' },
  { dir: 'cgroup', test: 'TestCgroup' },
  { dir: 'cgroup_parent', test: 'TestCgroupParent' },
  { dir: 'command', test: 'TestCommandList' },
  { dir: 'command', test: 'TestCommandString' },
  { dir: 'configs', test: 'TestServiceConfigs' },
  { dir: 'configs', test: 'TestTopLevelConfigs' },
  { dir: 'container_name', test: 'TestContainerName' },
  { dir: 'cpu', test: 'TestCPUFields' },
  { dir: 'cpu', test: 'TestMemoryFields' },
  { dir: 'credential_spec', test: 'TestCredentialSpec' },
  { dir: 'depends_on', test: 'TestDependsOnList' },
  { dir: 'depends_on', test: 'TestDependsOnObject' },
  { dir: 'depends_on', test: 'TestDependsOnXService' },
  { dir: 'deploy', test: 'TestDeployModeReplicas' },
  { dir: 'deploy', test: 'TestDeployPlacement' },
  { dir: 'deploy', test: 'TestDeployResources' },
  { dir: 'deploy', test: 'TestDeployRestartPolicy' },
  { dir: 'deploy', test: 'TestDeployUpdateRollbackConfig' },
  { dir: 'deploy_pids', test: 'TestDeployResourcesPids' },
  {
    dir: 'develop',
    test: 'TestDevelopMissingAction',
    go: {
      expect: 'reject',
      reason: 'develop_test.go: assert.ErrorContains(t, err, "services.web.develop.watch.0 missing property \'action\'")',
      error: /services\.web\.develop\.watch\[0\].*action/,
    },
    config: {
      expect: 'reject',
      reason: 'develop_test.go: the schema requires `action` on a watch rule',
      error: /services\.web\.develop\.watch\[0\].*action/,
    },
  },
  {
    dir: 'develop',
    test: 'TestDevelopWatch',
    go: { expect: 'accept', reason: 'develop_test.go TestDevelopWatch: LoadWithContext(..., ResolvePaths=false, SkipValidation=true): assert.NilError' },
  },
  { dir: 'device_cgroup_rules', test: 'TestDeviceCgroupRules' },
  { dir: 'devices', test: 'TestDeviceMapping' },
  { dir: 'devices', test: 'TestDeviceMappingLongSyntax' },
  { dir: 'devices', test: 'TestDeviceReservation' },
  { dir: 'dns', test: 'TestDNS' },
  { dir: 'dns', test: 'TestDNSOmitEmpty' },
  { dir: 'dns', test: 'TestDNSSearch' },
  { dir: 'dns_opt', test: 'TestDNSOpt' },
  { dir: 'domainname', test: 'TestDomainname' },
  { dir: 'entrypoint', test: 'TestEntrypointList' },
  { dir: 'entrypoint', test: 'TestEntrypointString' },
  { dir: 'env_file', test: 'TestEnvFileList' },
  { dir: 'env_file', test: 'TestEnvFileLongSyntax' },
  { dir: 'env_file', test: 'TestEnvFileString' },
  { dir: 'environment', test: 'TestEnvironmentBoolean' },
  {
    dir: 'environment',
    test: 'TestEnvironmentInvalidObject',
    go: {
      expect: 'reject',
      reason: 'environment_test.go: LoadWithContext with default options: assert.ErrorContains(t, err, "services.foo.environment must be a mapping")',
      error: /services\.foo\.environment\b/,
    },
    config: {
      expect: 'reject',
      reason: 'environment_test.go: "services.foo.environment must be a mapping" (schema)',
      error: /services\.foo\.environment\b/,
    },
  },
  {
    dir: 'environment',
    test: 'TestEnvironmentInvalidValue',
    go: {
      expect: 'reject',
      reason: 'environment_test.go: assert.ErrorContains(t, err, "services.foo.environment.FOO must be a boolean, null, number or string")',
      error: /services\.foo\.environment\.FOO/,
    },
    config: {
      expect: 'reject',
      reason: 'environment_test.go: "services.foo.environment.FOO must be a boolean, null, number or string" (schema)',
      error: /services\.foo\.environment\.FOO/,
    },
  },
  { dir: 'environment', test: 'TestEnvironmentList', env: { MEU: 'Shadoks' } },
  { dir: 'environment', test: 'TestEnvironmentMap', env: { MEU: 'Shadoks' } },
  {
    dir: 'environment',
    test: 'TestEnvironmentWhitespace',
    go: {
      expect: 'reject',
      reason: 'environment_test.go (SkipConsistencyCheck, SkipNormalization): err contains "environment variable DEBUG  is declared with a trailing space"',
      error: /services\.test\.environment.*DEBUG/,
    },
    config: {
      expect: 'reject',
      reason: 'environment_test.go: "environment variable DEBUG  is declared with a trailing space" (and the service has no image either)',
      error: /services\.test\.environment.*DEBUG/,
    },
  },
  { dir: 'expose', test: 'TestExpose' },
  { dir: 'extensions', test: 'TestServiceExtensions' },
  { dir: 'extensions', test: 'TestTopLevelExtensions' },
  { dir: 'external_links', test: 'TestExternalLinks' },
  { dir: 'extra_hosts', test: 'TestExtraHostsList' },
  { dir: 'extra_hosts', test: 'TestExtraHostsLongSyntax' },
  { dir: 'extra_hosts', test: 'TestExtraHostsMap' },
  { dir: 'extra_hosts', test: 'TestExtraHostsRepeated' },
  { dir: 'gpus', test: 'TestGpus' },
  { dir: 'gpus', test: 'TestGpusAll' },
  { dir: 'group_add', test: 'TestGroupAdd' },
  { dir: 'gw_priority', test: 'TestGwPriority' },
  { dir: 'healthcheck', test: 'TestHealthcheck' },
  { dir: 'hostname', test: 'TestHostname' },
  { dir: 'image', test: 'TestImage' },
  { dir: 'init', test: 'TestInit' },
  { dir: 'interface_name', test: 'TestInterfaceName' },
  { dir: 'ipc_uts_pid', test: 'TestIpcUtsPid' },
  { dir: 'isolation', test: 'TestIsolation' },
  { dir: 'labels', test: 'TestServiceLabels' },
  { dir: 'labels', test: 'TestServiceLabelsListSyntax' },
  { dir: 'link_local_ips', test: 'TestLinkLocalIPs' },
  { dir: 'links', test: 'TestLinks' },
  { dir: 'logging', test: 'TestLogging' },
  { dir: 'mac_address', test: 'TestMacAddress' },
  { dir: 'models', test: 'TestModels', config: noImage('test_array') },
  { dir: 'network_driver_opts', test: 'TestServiceNetworkDriverOpts' },
  { dir: 'network_internal', test: 'TestNetworkEnableIPv4IPv6' },
  { dir: 'network_internal', test: 'TestNetworkInternal' },
  { dir: 'network_ipam', test: 'TestNetworkIPAM' },
  { dir: 'network_mode', test: 'TestNetworkMode' },
  { dir: 'networks', test: 'TestServiceNetworks' },
  { dir: 'networks', test: 'TestTopLevelNetworks' },
  { dir: 'oom', test: 'TestOomKillDisable' },
  { dir: 'oom', test: 'TestOomScoreAdj' },
  { dir: 'pids_limit', test: 'TestPidsLimit' },
  { dir: 'platform', test: 'TestPlatform' },
  { dir: 'ports', test: 'TestAppProtocol' },
  { dir: 'ports', test: 'TestNamedPort' },
  { dir: 'ports', test: 'TestPortsLongSyntax' },
  { dir: 'ports', test: 'TestPortsRange' },
  { dir: 'ports', test: 'TestPortsShortSyntax' },
  { dir: 'privileged', test: 'TestPrivilegedReadOnly' },
  { dir: 'profiles', test: 'TestProfiles' },
  { dir: 'provider', test: 'TestProvider' },
  { dir: 'pull_policy', test: 'TestPullPolicy' },
  { dir: 'pull_policy', test: 'TestPullRefreshAfter' },
  { dir: 'restart', test: 'TestRestart' },
  { dir: 'runtime', test: 'TestRuntime' },
  { dir: 'scale', test: 'TestScale' },
  { dir: 'secrets', test: 'TestSecretEnvironmentResolution', env: { GA: 'BU', MEU: 'Shadoks' } },
  {
    dir: 'secrets',
    test: 'TestSecretFileModeNumber',
    config: { expect: 'reject', reason: 'checkConsistency: "service \\"foo\\" refers to undefined secret server-certificate" (the Go test skips the consistency check)', error: /server-certificate/ },
  },
  {
    dir: 'secrets',
    test: 'TestSecretFileModeString',
    config: { expect: 'reject', reason: 'checkConsistency: "service \\"foo\\" refers to undefined secret server-certificate" (the Go test skips the consistency check)', error: /server-certificate/ },
  },
  { dir: 'secrets', test: 'TestServiceSecrets' },
  { dir: 'secrets', test: 'TestTopLevelSecrets', env: { BAR: 'this is a secret' } },
  { dir: 'security_opt', test: 'TestSecurityOpt' },
  { dir: 'service_hooks', test: 'TestPreStartInheritsServiceImage' },
  { dir: 'service_hooks', test: 'TestServiceHooks' },
  { dir: 'stdin_tty', test: 'TestStdinOpenTty' },
  { dir: 'stop', test: 'TestStopGracePeriod' },
  { dir: 'stop', test: 'TestStopSignal' },
  { dir: 'storage_opt', test: 'TestStorageOpt' },
  { dir: 'sysctls', test: 'TestSysctls' },
  { dir: 'template_driver', test: 'TestConfigContent' },
  { dir: 'template_driver', test: 'TestConfigEnvironment', env: { MY_VAR: 'my_value' } },
  {
    dir: 'template_driver',
    test: 'TestSecretDriver',
    config: {
      expect: 'reject',
      reason: 'checkConsistency: "secret \\"secret\\" must declare either `file` or `environment`" — a `driver` does not count (the Go test skips the consistency check)',
      error: /secrets\.secret\b/,
    },
  },
  { dir: 'template_driver', test: 'TestTemplateDriver' },
  { dir: 'tmpfs', test: 'TestTmpfs' },
  { dir: 'ulimits', test: 'TestUlimits' },
  { dir: 'use_api_socket', test: 'TestUseAPISocket' },
  { dir: 'user', test: 'TestUser' },
  { dir: 'userns_mode', test: 'TestUsernsMode' },
  { dir: 'volume_bind', test: 'TestVolumeBindCreateHostPathDefault' },
  { dir: 'volume_bind', test: 'TestVolumeBindPropagation' },
  { dir: 'volume_bind', test: 'TestVolumeBindSELinux' },
  { dir: 'volume_bind', test: 'TestVolumeNoCopy' },
  { dir: 'volumes', test: 'TestImageVolume' },
  { dir: 'volumes', test: 'TestNpipeVolume' },
  { dir: 'volumes', test: 'TestTopLevelVolumes' },
  { dir: 'volumes_from', test: 'TestVolumesFrom' },
  { dir: 'working_dir', test: 'TestWorkingDir' },
];

/** How many attribute inputs the corpus holds (compose-go INDEX.md: 139). */
export const ATTRIBUTE_CASE_COUNT = 139;

function attributeCases(row: AttributeRow): CorpusCase[] {
  const file = `${ATTR}/${row.dir}/${row.test}.yaml`;
  const go = row.go ?? {
    expect: 'accept' as const,
    reason: `${row.dir}_test.go ${row.test}: loaded with ${row.env ? 'loadWithEnv()' : 'load()'} (SkipConsistencyCheck, SkipNormalization) — assert.NilError — then its values asserted`,
  };
  const config = row.config ?? {
    expect: 'accept' as const,
    reason: `${row.dir}_test.go ${row.test} loads it; nothing in it breaks compose-go checkConsistency`,
  };
  return [
    {
      id: `${row.dir}/${row.test} (as the Go test loads it)`,
      corpus: 'loader-attribute-cases',
      files: [file],
      env: row.env,
      normalize: false,
      expect: go.expect,
      reason: go.reason,
      error: go.expect === 'reject' ? go.error : undefined,
    },
    {
      id: `${row.dir}/${row.test} (config)`,
      corpus: 'loader-attribute-cases',
      files: [file],
      env: row.env,
      expect: config.expect,
      reason: config.reason,
      error: config.expect === 'reject' ? config.error : undefined,
    },
  ];
}

export const corpusCases: readonly CorpusCase[] = [
  ...awesomeCases,
  ...fixtureCases,
  ...scenarioCases,
  ...ATTRIBUTE_ROWS.flatMap(attributeCases),
];

export const attributeRowCount = ATTRIBUTE_ROWS.length;
