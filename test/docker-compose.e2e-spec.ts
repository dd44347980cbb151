import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '@hangar/config';
import { REPO_ROOT } from './support/processes';

/**
 * No Docker engine runs here, so the Compose file is checked the way `docker
 * compose config` reads it: YAML with its merge keys, `${VAR:-default}` and
 * `${VAR:?message}` interpolation; then the promises the README makes about
 * it — the three services healthy before migrations, migrations before the
 * api and worker, the same host ports as scripts/services.sh, a worker that
 * scales, and an app environment the apps' own configuration accepts.
 */
interface Service {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly target: string };
  readonly command?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly depends_on?: Record<string, { readonly condition: string }> | readonly string[];
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly profiles?: readonly string[];
  readonly container_name?: string;
}
interface Compose {
  readonly services: Record<string, Service>;
  readonly volumes: Record<string, unknown>;
}

/** Compose's variable interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}` ($$ for a dollar). */
function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (match, name: string | undefined, kind, argument: string) => {
    if (match === '$$') return '$';
    const value = env[name ?? ''];
    if (value !== undefined && value !== '') return value;
    if (kind === '-') return argument;
    if (kind === '?') throw new Error(`required variable ${name ?? ''} is missing: ${argument}`);
    return '';
  });
}

/** A Dockerfile's stages as the builder reads them: instructions (continuation lines joined, comments dropped) by stage. */
function dockerfileStages(text: string): Map<string, { instruction: string; argument: string }[]> {
  const stages = new Map<string, { instruction: string; argument: string }[]>();
  let current: { instruction: string; argument: string }[] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  for (const line of lines) {
    const [, instruction = '', argument = ''] = /^\s*(\w+)\s+(.*)$/.exec(line) ?? [];
    const stage = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(line.trim());
    if (stage) stages.set(stage[1] ?? '', (current = []));
    else current.push({ instruction: instruction.toUpperCase(), argument: argument.trim() });
  }
  return stages;
}

/** `ENV A=1 B=2` (the form this Dockerfile uses) as a record. */
const envOf = (argument: string) => Object.fromEntries(argument.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]));

const source = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const composeWith = (env: Record<string, string | undefined>) => load(interpolate(source, env)) as Compose;
const ADMIN_TOKEN = 'a'.repeat(40);

describe('docker-compose.yml, as `docker compose config` reads it', () => {
  const compose = composeWith({ HANGAR_ADMIN_TOKEN: ADMIN_TOKEN });
  const service = (name: string): Service => {
    const found = compose.services[name];
    if (!found) throw new Error(`no service ${name}`);
    return found;
  };

  test('refuses to start without an administrator token, as compose would', () => {
    expect(() => composeWith({})).toThrow('HANGAR_ADMIN_TOKEN');
  });

  test('has the api, the worker, migrations and the three services (HTTPS only in its profile)', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'https', 'migrate', 'minio', 'postgres', 'redis', 'worker']);
    expect(service('https').profiles).toEqual(['https']);
  });

  test('the backing services are healthy before migrations run, and migrations done before the api and worker start', () => {
    for (const name of ['postgres', 'redis', 'minio']) expect(service(name).healthcheck?.test.length).toBeGreaterThan(0);
    expect(service('migrate').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(service(name).depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        minio: { condition: 'service_healthy' },
      });
    }
  });

  test('publishes the backing services on 127.0.0.1 at the ports scripts/services.sh uses; the api on 3000', () => {
    const services = readFileSync(join(REPO_ROOT, 'scripts/services.sh'), 'utf8');
    // `PG_PORT=${HANGAR_PG_PORT:-55432}`: the port the script uses unless told otherwise.
    const portOf = (name: string) => new RegExp(`^${name}=\\$\\{HANGAR_\\w+:-(\\d+)\\}`, 'm').exec(services)?.[1];
    expect(service('postgres').ports).toEqual([`127.0.0.1:${portOf('PG_PORT') ?? ''}:5432`]);
    expect(service('redis').ports).toEqual([`127.0.0.1:${portOf('REDIS_PORT') ?? ''}:6379`]);
    expect(service('minio').ports?.[0]).toBe(`127.0.0.1:${portOf('MINIO_PORT') ?? ''}:9000`);
    expect(service('api').ports).toEqual(['3000:3000']);
  });

  test('the worker scales: no fixed name, no host port', () => {
    expect(service('worker').container_name).toBeUndefined();
    expect(service('worker').ports).toBeUndefined();
  });

  test('each worker serves its metrics on the compose network only; the api and worker share METRICS_TOKEN', () => {
    const environmentOf = (name: string) =>
      Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([key, value]) => [key, String(value)]));
    const worker = loadConfig({ ...environmentOf('worker'), NODE_ENV: 'production' });
    const api = loadConfig({ ...environmentOf('api'), NODE_ENV: 'production' });
    expect(worker.metrics.workerPort).toBe(9464);
    expect(api.metrics.workerPort).toBeUndefined();
    // Unset in the shell: open, as documented; set, both processes ask for it.
    expect(worker.metrics.token).toBeUndefined();
    const guarded = composeWith({ HANGAR_ADMIN_TOKEN: ADMIN_TOKEN, METRICS_TOKEN: 'a-metrics-token-of-some-length' });
    for (const name of ['api', 'worker']) expect(guarded.services[name]?.environment?.METRICS_TOKEN).toBe('a-metrics-token-of-some-length');
  });

  test('the api and worker run the built apps from the Dockerfile’s runtime stage; migrations from its build stage', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    for (const name of ['api', 'worker']) {
      expect(service(name).build).toEqual({ context: '.', target: 'runtime' });
      const main = service(name).command?.[1] ?? '';
      expect(main).toBe(`dist/apps/${name}/src/main.js`);
      // What `nest build` writes (npm test builds before the integration suites run).
      expect(existsSync(join(REPO_ROOT, main))).toBe(true);
    }
    expect(service('migrate').build?.target).toBe('build');
    expect(existsSync(join(REPO_ROOT, service('migrate').command?.[1] ?? ''))).toBe(true);
    for (const target of ['build', 'runtime']) expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${target}$`, 'm'));
  });

  test("the api's and worker's environment is one the apps' own configuration accepts", () => {
    for (const name of ['api', 'worker']) {
      // Compose hands every value to the process as a string (YAML may have read `0` as a number).
      const environment = Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([key, value]) => [key, String(value)]));
      expect(environment.HANGAR_ADMIN_TOKEN).toBe(ADMIN_TOKEN);
      const config = loadConfig({ ...environment, NODE_ENV: 'production' });
      expect(config.database.url).toContain('@postgres:5432/');
      expect(config.redis.url).toBe('redis://redis:6379');
      expect(config.storage.endpoint.host).toBe('minio:9000');
    }
  });

  test('the image builds the media library and the api serves it at /library from the runtime stage', () => {
    const stages = dockerfileStages(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
    const build = stages.get('build') ?? [];
    const runtime = stages.get('runtime') ?? [];
    // The build stage runs `npm run build`, which runs `build:web`: Vite writes the library into dist/apps/web.
    const runs = build.filter(({ instruction }) => instruction === 'RUN').map(({ argument }) => argument);
    expect(runs.some((run) => /\bnpm run build\b/.test(run) && run.includes('dist/apps/web/index.html'))).toBe(true);
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toContain('build:web');
    expect(scripts['build:web']).toBe('vite build --config apps/web/vite.config.mts');
    expect(readFileSync(join(REPO_ROOT, 'apps/web/vite.config.mts'), 'utf8')).toContain("'../../dist/apps/web'");
    // Nothing keeps the web app's sources out of the build context.
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored.filter((pattern) => /^(apps|apps\/web|\*\*?)(\/|$)/.test(pattern.trim()))).toEqual([]);
    // The runtime stage copies the whole of the build's dist/ (the library with it) and points LIBRARY_DIR at it.
    expect(runtime).toContainEqual({ instruction: 'COPY', argument: '--from=build /app/dist ./dist' });
    const workdir = [...(stages.get('base') ?? []), ...runtime].filter(({ instruction }) => instruction === 'WORKDIR').at(-1)?.argument;
    expect(workdir).toBe('/app');
    const imageEnv = Object.assign(
      {},
      ...runtime.filter(({ instruction }) => instruction === 'ENV').map(({ argument }) => envOf(argument)),
    ) as Record<string, string>;
    expect(imageEnv.LIBRARY_DIR).toBe('/app/dist/apps/web');
    // The api's settings in compose with the image's: the library is where the build put it.
    const environment = Object.fromEntries(Object.entries(service('api').environment ?? {}).map(([key, value]) => [key, String(value)]));
    expect(loadConfig({ ...imageEnv, ...environment }).library.dir).toBe('/app/dist/apps/web');
    // And the built page the image copies exists: npm test builds it before the integration suites run.
    expect(existsSync(join(REPO_ROOT, 'dist/apps/web/index.html'))).toBe(true);
  });

  test('every named volume a service uses is declared', () => {
    const used = Object.values(compose.services)
      .flatMap((found) => found.volumes ?? [])
      .map((volume) => volume.split(':')[0] ?? '')
      .filter((name) => !name.startsWith('.') && !name.startsWith('/'));
    for (const name of used) expect(Object.keys(compose.volumes)).toContain(name);
  });
});
