import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the CLI reads from its environment; only main.ts looks at process.env and hands these over. */
export interface CliEnvironment {
  readonly HANGAR_URL?: string;
  readonly HANGAR_TOKEN?: string;
  readonly HANGAR_SPACE?: string;
  readonly XDG_CONFIG_HOME?: string;
  readonly HOME?: string;
}

/** The connection `hangar login` stores. */
export interface StoredLogin {
  readonly url: string;
  readonly token: string;
}

/** `$XDG_CONFIG_HOME/hangar`, else `~/.config/hangar` (the XDG base directory default). */
export function configDirectory(env: CliEnvironment): string {
  const base =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'hangar');
}

export const configFile = (directory: string) => join(directory, 'config.json');

/** Where tus-js-client keeps each unfinished upload's URL by file fingerprint, so a re-run resumes it. */
export const tusUploadsFile = (directory: string) => join(directory, 'tus-uploads.json');

/** The directory holds a token: only its owner may list or enter it. */
export async function ensureConfigDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
}

export async function readLogin(directory: string): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(configFile(directory), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StoredLogin>;
  if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string') {
    throw new Error(`${configFile(directory)} is not a hangar login (run \`hangar login\` again)`);
  }
  return { url: parsed.url, token: parsed.token };
}

/**
 * Writes the login readable by its owner only (0600): written to a temporary file of that mode and renamed
 * over the old one, so the token is never in a file others can read, not even for a moment, nor half written.
 */
export async function writeLogin(directory: string, login: StoredLogin): Promise<string> {
  await ensureConfigDirectory(directory);
  const target = configFile(directory);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFile passes through the umask; say it again so a permissive umask cannot widen it.
  await chmod(temporary, 0o600);
  await rename(temporary, target);
  return target;
}

/** Removes the stored login; false when there was none. */
export async function removeLogin(directory: string): Promise<boolean> {
  try {
    await rm(configFile(directory));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
