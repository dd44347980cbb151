import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { getAsset, listAssets, removeAssets } from './assets/assets.command';
import type { CliContext } from './cli-context';
import { login, logout } from './login.command';
import { upload } from './upload/upload.command';

/** tus PATCH size: a whole MinIO part's worth, which the api streams to storage as it arrives (README, tus). */
const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return parsed;
  };
}

const ENVIRONMENT_HELP = `
Environment:
  HANGAR_URL, HANGAR_TOKEN  used instead of what \`hangar login\` stored
  HANGAR_SPACE              the space when --space is not given
  XDG_CONFIG_HOME           the login is in $XDG_CONFIG_HOME/hangar/config.json (default ~/.config/hangar)`;

function withEnvironmentOptions(command: Command): Command {
  return command
    .option('--space <id>', 'space (default: HANGAR_SPACE, else the only space the token sees)')
    .option('--env <id>', 'environment', 'master');
}

/** The `hangar` command line. Commands raise `context.exitCode`; errors are thrown to main.ts. */
export function createProgram(context: CliContext): Command {
  const program = new Command('hangar')
    .description('Upload files to Hangar and manage its assets.')
    .configureOutput({ writeOut: (text) => context.stdout.write(text), writeErr: (text) => context.stderr.write(text) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENVIRONMENT_HELP);

  program
    .command('login')
    .description('check a token against the api and store the URL and token (file mode 0600)')
    .option('--url <url>', 'api base URL, e.g. http://localhost:3000 (prompted for on a terminal)')
    .option('--token <token>', 'personal access token; "-" reads it from stdin (prompted for, hidden, on a terminal)')
    .action((options: { url?: string; token?: string }) => login(context, options));

  program
    .command('logout')
    .description('forget the stored token')
    .action(() => logout(context));

  withEnvironmentOptions(
    program
      .command('upload')
      .description('upload files and folders (recursively) as assets: resumable (tus), processed, optionally published')
      .argument('<paths...>', 'files and folders'),
  )
    .option('--locale <code>', "locale of the title and file (default: the environment's default locale)")
    .option('--publish', 'publish each asset once processed')
    .option('--concurrency <n>', 'files at once', integer('--concurrency', 1, 64), 4)
    .option('--timeout <seconds>', "how long to wait for one file's processing", integer('--timeout', 1, 86_400), 600)
    .option('--json', 'print one JSON document (per-file results and totals) and nothing else on stdout')
    // Hidden, for tests and slow links: smaller tus PATCHes, each one a point the api has confirmed.
    .addOption(
      new Option('--chunk-size <bytes>')
        .argParser(integer('--chunk-size', 1024, 1024 ** 3))
        .default(DEFAULT_CHUNK_BYTES)
        .hideHelp(),
    )
    .addHelpText(
      'after',
      `
Each file goes through tus; an upload interrupted (Ctrl-C, a lost connection, a crash) resumes from where the api
holds it when the same command runs again. Exit status 1 when any file failed, 130 after Ctrl-C.

Examples:
  hangar upload photos/ --space abc123
  hangar upload a.png b.pdf --publish --json > result.json`,
    )
    .action((paths: string[], options: Parameters<typeof upload>[2]) => upload(context, paths, options));

  const assets = program.command('assets').description('list, show and remove assets');
  withEnvironmentOptions(assets.command('ls').description('list assets, newest first'))
    .option('--limit <n>', 'how many', integer('--limit', 1, 1000), 100)
    .option('--query <text>', 'only assets whose title contains this text (in any case)')
    .option('--locale <code>', "locale of the titles shown (default: the environment's default locale)")
    .option('--json', "print the api's collection as JSON")
    .action((options: Parameters<typeof listAssets>[1]) => listAssets(context, options));
  withEnvironmentOptions(assets.command('get').description('show one asset').argument('<id>', 'asset id'))
    .option('--json', "print the api's asset as JSON")
    .action((id: string, options: Parameters<typeof getAsset>[2]) => getAsset(context, id, options));
  withEnvironmentOptions(
    assets.command('rm').description('delete assets (a published one is unpublished first)').argument('<ids...>', 'asset ids'),
  )
    .option('--json', 'print the per-asset results as JSON')
    .action((ids: string[], options: Parameters<typeof removeAssets>[2]) => removeAssets(context, ids, options));

  return program;
}

/** Runs the command line; resolves to the exit status. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Commander has already printed its own errors (unknown option, missing argument) and help.
    if (error instanceof CommanderError) return error.exitCode;
    context.stderr.write(`hangar: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return context.exitCode;
}
