import { ApiError, HangarClient, normaliseBaseUrl } from './api-client';
import { type CliContext, nonEmpty } from './cli-context';
import { configDirectory, readLogin, removeLogin, writeLogin } from './config-store';
import { ask, askSecret, readAll } from './prompt';

export interface LoginOptions {
  readonly url?: string;
  readonly token?: string;
}

interface UserJson {
  sys: { id: string };
  email?: string;
}

const DEFAULT_URL = 'http://localhost:3000';

/**
 * `hangar login`: takes the api URL and a token (flags, else prompts on a terminal), checks the token against
 * the api (`GET /users/me`) and stores both, readable by the user only. Nothing is stored if the check fails.
 */
export async function login(context: CliContext, options: LoginOptions): Promise<void> {
  const directory = configDirectory(context.env);
  const interactive = context.stdin.isTTY === true;
  const stored = await readLogin(directory);

  let url = nonEmpty(options.url);
  if (url === undefined) {
    if (!interactive) throw new Error('--url is required when stdin is not a terminal');
    url = await ask(context, 'Hangar URL', stored?.url ?? nonEmpty(context.env.HANGAR_URL) ?? DEFAULT_URL);
  }
  const baseUrl = normaliseBaseUrl(url);

  let token = nonEmpty(options.token);
  if (token === '-') token = await readAll(context.stdin);
  else if (token === undefined) {
    if (!interactive) throw new Error('--token is required when stdin is not a terminal (`--token -` reads it from stdin)');
    token = await askSecret(context, 'Personal access token');
  }
  if (token === '') throw new Error('the token is empty');

  let user: UserJson;
  try {
    user = await new HangarClient({ url: baseUrl, token }).request<UserJson>('GET', '/users/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new Error(`${baseUrl} refused the token (${error.message})`);
    throw error;
  }
  const file = await writeLogin(directory, { url: baseUrl, token });
  context.stdout.write(`Logged in to ${baseUrl} as ${user.email ?? user.sys.id}; saved to ${file} (readable by you only)\n`);
}

/** `hangar logout`: forgets the stored token. */
export async function logout(context: CliContext): Promise<void> {
  const directory = configDirectory(context.env);
  const removed = await removeLogin(directory);
  context.stdout.write(removed ? `Logged out (removed ${directory}/config.json)\n` : 'Not logged in\n');
}
