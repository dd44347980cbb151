import { HangarClient, normaliseBaseUrl } from './api-client';
import { type CliEnvironment, configDirectory, readLogin } from './config-store';

/** What a command runs with: its environment and streams, handed over by main.ts (and by tests). */
export interface CliContext {
  readonly env: CliEnvironment;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
  /** Aborted on the first Ctrl-C (SIGINT) or SIGTERM: uploads stop where they are, resumable. */
  readonly signal: AbortSignal;
  /** The process's exit status once the command is done; commands raise it when something failed. */
  exitCode: number;
}

/** The api and token to use: HANGAR_URL and HANGAR_TOKEN when set, else what `hangar login` stored. */
export async function connect(context: CliContext): Promise<HangarClient> {
  const stored = await readLogin(configDirectory(context.env));
  const url = nonEmpty(context.env.HANGAR_URL) ?? stored?.url;
  const token = nonEmpty(context.env.HANGAR_TOKEN) ?? stored?.token;
  if (url === undefined || token === undefined) {
    throw new Error('not logged in: run `hangar login`, or set HANGAR_URL and HANGAR_TOKEN');
  }
  return new HangarClient({ url: normaliseBaseUrl(url), token });
}

export const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** One JSON document on stdout: what `--json` promises, and nothing else. */
export function printJson(context: CliContext, document: unknown): void {
  context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
