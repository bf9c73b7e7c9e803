/** `tscompose config`: argv → ConfigOptions → compose.config(). */
import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import type { ConfigFormat } from '../../compose/config';
import type { CommandContext } from '../command-context';

interface ConfigFlags {
  format?: ConfigFormat;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  images?: boolean;
  profiles?: boolean;
  hash?: string;
  variables?: boolean;
  environment?: boolean;
  explainEnv?: boolean;
  interpolate?: boolean;
  normalize?: boolean;
  pathResolution?: boolean;
  consistency?: boolean;
  output?: string;
}

export function configCommand(ctx: CommandContext): Command {
  return new Command('config')
    .description('Parse, resolve and render the compose file in canonical format')
    .argument('[services...]', 'only these services (their profiles are enabled)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('-q, --quiet', "only validate the configuration, don't print anything")
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--networks', 'print the network names, one per line')
    .option('--images', 'print the image names, one per line')
    .option('--profiles', 'print the profile names, one per line')
    .option('--hash <services>', 'print the service config hash, one per line ("*" for all)')
    .option('--variables', 'print model variables and default values')
    .option('--environment', 'print environment used for interpolation')
    .option('--explain-env', 'list every interpolated variable: value, where it came from, which rule won')
    .option('--no-interpolate', "don't interpolate environment variables")
    .option('--no-normalize', "don't normalize the compose model")
    .option('--no-path-resolution', "don't resolve file paths")
    .option('--no-consistency', "don't check model consistency (references, duplicate ports …)")
    .option('-o, --output <file>', 'save to file (default: stdout)')
    .action((services: string[], flags: ConfigFlags) => {
      const { output } = ctx.compose().config(
        {
          ...ctx.project(),
          services: services.length > 0 ? services : undefined,
          interpolate: flags.interpolate,
          normalize: flags.normalize,
          resolvePaths: flags.pathResolution,
          checkSemantics: flags.consistency,
        },
        {
          format: flags.format ?? 'yaml',
          quiet: flags.quiet,
          services: flags.services,
          volumes: flags.volumes,
          networks: flags.networks,
          images: flags.images,
          profiles: flags.profiles,
          hash: flags.hash,
          variables: flags.variables,
          environment: flags.environment,
          explainEnv: flags.explainEnv,
        },
      );
      if (flags.output) fs.writeFileSync(flags.output, output);
      else ctx.stdout(output);
    });
}
