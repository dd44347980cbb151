import type { INestApplicationContext } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetJson, deliveryPathOf } from './support/assets';
import { newSpace, newUser, type TestUser } from './support/factories';
import { REPO_ROOT } from './support/processes';
import { startWorker } from './support/worker-harness';

const BIN = join(REPO_ROOT, 'apps/cli/bin/hangar.mjs');
const KiB = 1024;
// Jest's toEqual walks a Buffer byte by byte (seconds for a few MiB): large bodies are compared by digest.
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One per-file entry of `hangar upload --json`. */
interface FileResultJson {
  path: string;
  bytes: number;
  uploadId: string | null;
  assetId: string | null;
  status: string;
  reason: string | null;
  url: string | null;
  published: boolean;
  resumedFrom: number | null;
}

/**
 * The `hangar` CLI end to end: the built bin (apps/cli/bin/hangar.mjs → dist/apps/cli) run as a child process,
 * as a user would, against an in-process api and worker. Each test has its own config directory
 * (XDG_CONFIG_HOME) and files it made itself, whose bytes the assertions compare with what the api delivers.
 */
describe('hangar CLI', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    // 4 MiB: every file the tests make fits but the one the refusal test makes too large.
    api = await startApi({ UPLOAD_MAX_BYTES: String(4 * 1024 * KiB) });
    worker = await startWorker({ UPLOAD_MAX_BYTES: String(4 * 1024 * KiB) });
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), `hangar-cli-${prefix}-`));

  /** Starts the bin with only the variables given (no HANGAR_* from this process), stdin closed unless given. */
  function startCli(args: string[], env: Record<string, string>, stdin?: string): { child: ChildProcess; done: Promise<CliRun> } {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin?.end(stdin ?? '');
    const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { child, done };
  }

  const runCli = (args: string[], env: Record<string, string>, stdin?: string) => startCli(args, env, stdin).done;

  /** Runs util-linux's `script` (a pseudo-terminal) with only the variables given. */
  function runScript(args: string[], env: Record<string, string>): Promise<CliRun> {
    const child = spawn('script', args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  /** The variables of a user who has not logged in, but passes the api and token in the environment. */
  const asUser = (user: TestUser, configHome = scratch('config'), url = api.baseUrl) => ({
    XDG_CONFIG_HOME: configHome,
    HOME: configHome,
    HANGAR_URL: url,
    HANGAR_TOKEN: user.token,
  });

  async function delivered(url: string | null): Promise<Buffer> {
    const response = await request(api.baseUrl)
      .get(deliveryPathOf(url ?? undefined))
      .buffer(true)
      .parse((res, callback) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    return response.body as Buffer;
  }

  const assetOf = (user: TestUser, spaceId: string, id: string) =>
    request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/assets/${id}`).set(user.auth);

  describe('login and logout', () => {
    it('checks the token, stores URL and token readable by the user only, and the next commands use them', async () => {
      const user = await newUser(api.baseUrl);
      await newSpace(api.baseUrl, user);
      const home = scratch('login');
      const env = { XDG_CONFIG_HOME: join(home, 'xdg'), HOME: home };

      const logged = await runCli(['login', '--url', `${api.baseUrl}/`, '--token', user.token], env);
      expect(logged).toMatchObject({ code: 0, stderr: '' });
      const file = join(home, 'xdg/hangar/config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, 'xdg/hangar')).mode & 0o777).toBe(0o700);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: api.baseUrl, token: user.token });

      // Without HANGAR_URL/HANGAR_TOKEN, the stored login is used (the user's only space needs no --space).
      const listed = await runCli(['assets', 'ls', '--json'], env);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({ total: 0, items: [] });

      const out = await runCli(['logout'], env);
      expect(out.code).toBe(0);
      expect(() => statSync(file)).toThrow(/ENOENT/);
      const after = await runCli(['assets', 'ls'], env);
      expect(after.code).toBe(1);
      expect(after.stderr).toContain('not logged in');
    });

    it('stores nothing when the api refuses the token; reads a token from stdin with --token -', async () => {
      const user = await newUser(api.baseUrl);
      const home = scratch('login-refused');
      const env = { XDG_CONFIG_HOME: home, HOME: home };

      const refused = await runCli(['login', '--url', api.baseUrl, '--token', 'CFPAT-not-a-token-of-anyone'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('401 AccessTokenInvalid');
      expect(() => statSync(join(home, 'hangar/config.json'))).toThrow(/ENOENT/);

      const piped = await runCli(['login', '--url', api.baseUrl, '--token', '-'], env, `${user.token}\n`);
      expect(piped.code).toBe(0);
      expect(JSON.parse(readFileSync(join(home, 'hangar/config.json'), 'utf8'))).toEqual({ url: api.baseUrl, token: user.token });

      // Not a terminal and nothing given: an error, not a prompt that waits forever.
      const bare = await runCli(['login'], env);
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain('--url is required');
    });

    it('prompts on a terminal for what is missing, without echoing the token', async () => {
      const user = await newUser(api.baseUrl);
      const home = scratch('login-prompt');
      const child = spawn('script', ['-qec', `exec ${process.execPath} ${BIN} login`, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: home, HOME: home },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      const answered = new Set<string>();
      // Each answer is typed once its question is on the screen, as a person would.
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (screen.includes('Hangar URL [http://localhost:3000]: ') && !answered.has('url')) {
          answered.add('url');
          child.stdin.write(`${api.baseUrl}\r`);
        }
        if (screen.includes('Personal access token: ') && !answered.has('token')) {
          answered.add('token');
          child.stdin.write(`${user.token}\r`);
        }
      });
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(0);
      expect(screen).toContain(`Logged in to ${api.baseUrl}`);
      expect(screen).not.toContain(user.token);
      expect(JSON.parse(readFileSync(join(home, 'hangar/config.json'), 'utf8'))).toEqual({ url: api.baseUrl, token: user.token });
    });

    it('HANGAR_URL and HANGAR_TOKEN override the stored login', async () => {
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const home = scratch('override');
      mkdirSync(join(home, 'hangar'), { recursive: true, mode: 0o700 });
      writeFileSync(join(home, 'hangar/config.json'), JSON.stringify({ url: 'http://127.0.0.1:9', token: 'stale' }), { mode: 0o600 });

      const listed = await runCli(['assets', 'ls', '--json', '--space', spaceId], asUser(user, home));
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({ total: 0 });
    });
  });

  describe('upload', () => {
    it('uploads a folder of 50 files recursively, each a ready asset delivering exactly the bytes of its file', async () => {
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const folder = scratch('folder');
      const made = new Map<string, Buffer>();
      for (let index = 0; index < 50; index += 1) {
        const sub = join(folder, `batch-${index % 5}`, index % 2 === 0 ? 'deeper' : '');
        mkdirSync(sub, { recursive: true });
        // Distinct contents and sizes; text files and binary ones.
        const bytes = index % 3 === 0 ? Buffer.from(`file ${index}\n${'x'.repeat(index * 37)}\n`) : randomBytes(1 + index * 613);
        const path = join(sub, `file-${String(index).padStart(2, '0')}.${index % 3 === 0 ? 'txt' : 'bin'}`);
        writeFileSync(path, bytes);
        made.set(path, bytes);
      }

      const run = await runCli(['upload', folder, '--json'], asUser(user));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const document = JSON.parse(run.stdout) as { space: string; locale: string; files: FileResultJson[]; totals: Record<string, number> };
      expect(document).toMatchObject({ space: spaceId, locale: 'en-US' });
      expect(document.files.map((file) => file.path).sort()).toEqual([...made.keys()].sort());
      expect(document.totals).toMatchObject({
        files: 50,
        ready: 50,
        failed: 0,
        bytes: [...made.values()].reduce((sum, b) => sum + b.length, 0),
      });

      for (const file of document.files) {
        const bytes = made.get(file.path) as Buffer;
        expect(file).toMatchObject({ status: 'ready', reason: null, bytes: bytes.length, resumedFrom: null });
        expect(await delivered(file.url)).toEqual(bytes);
        const asset = (await assetOf(user, spaceId, file.assetId ?? '').expect(200)).body as AssetJson;
        expect(asset.fields.title).toEqual({ 'en-US': basename(file.path) });
        expect(asset.fields.file?.['en-US']).toMatchObject({ fileName: basename(file.path), details: { size: bytes.length } });
      }
      const all = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/assets?limit=1000`).set(user.auth).expect(200);
      expect((all.body as { total: number }).total).toBe(50);
    });

    it('reports a file the api refuses with its reason and exit status 1; the others still become assets', async () => {
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const folder = scratch('refused');
      const good = Buffer.from('a good file\n');
      writeFileSync(join(folder, 'good.txt'), good);
      // Over the api's UPLOAD_MAX_BYTES (4 MiB here): tus creation answers 413.
      writeFileSync(join(folder, 'huge.bin'), Buffer.alloc(4 * 1024 * KiB + 1, 7));

      const run = await runCli(['upload', folder, '--json', '--space', spaceId], asUser(user));
      expect(run.code).toBe(1);
      const { files } = JSON.parse(run.stdout) as { files: FileResultJson[] };
      const byName = new Map(files.map((file) => [basename(file.path), file]));
      expect(byName.get('good.txt')).toMatchObject({ status: 'ready' });
      expect(await delivered(byName.get('good.txt')?.url ?? null)).toEqual(good);
      expect(byName.get('huge.bin')).toMatchObject({ status: 'failed', assetId: null, uploadId: null });
      expect(byName.get('huge.bin')?.reason).toMatch(/^upload: 413/);

      // A locale the environment does not have is refused before anything is uploaded.
      const unknownLocale = await runCli(['upload', folder, '--json', '--space', spaceId, '--locale', 'xx-XX'], asUser(user));
      expect(unknownLocale).toMatchObject({ code: 1, stdout: '' });
      expect(unknownLocale.stderr).toContain('has no locale xx-XX (it has en-US)');
      const assets = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/assets`).set(user.auth).expect(200);
      expect((assets.body as { total: number }).total).toBe(1);

      // Without --json: a line per file, the summary table and the totals, the reason in the table.
      const plain = await runCli(['upload', join(folder, 'huge.bin'), '--space', spaceId], asUser(user));
      expect(plain.code).toBe(1);
      expect(plain.stdout).toMatch(/^\[1\/1\] FAILED .*huge\.bin/m);
      expect(plain.stdout).toMatch(/^FILE\s+SIZE\s+STATUS\s+ASSET\s+URL OR REASON$/m);
      expect(plain.stdout).toMatch(/huge\.bin\s+4\.00 MiB\s+failed\s+–\s+upload: 413/);
      expect(plain.stdout).toContain('1 file, 4.00 MiB in');
      expect(plain.stdout).toContain('0 ready, 1 failed');
    });

    it('on a terminal: a line per finished file above the bars, the overall bar with throughput and ETA, then the summary', async () => {
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const folder = scratch('terminal');
      for (const name of ['one.bin', 'two.bin', 'three.bin']) writeFileSync(join(folder, name), randomBytes(300 * KiB));
      // util-linux's script gives the CLI a pseudo-terminal as stdout (200 columns, so no frame is cut short).
      const command = `stty cols 200; exec ${process.execPath} ${BIN} upload ${folder} --space ${spaceId}`;
      const run = await runScript(['-qec', command, '/dev/null'], asUser(user));
      expect(run.code).toBe(0);
      // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what is removed
      const screen = run.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
      // The last frame, drawn when the bars stop: everything sent, a rate, an ETA, every file done.
      expect(screen).toMatch(/all files +\S+ 100% \| 900\.0 KiB\/900\.0 KiB \| [\d.]+ (KiB|MiB)\/s \| ETA +\d+s \| 3\/3 files/);
      for (const name of ['one.bin', 'two.bin', 'three.bin'])
        expect(screen).toMatch(new RegExp(`\\[\\d/3\\] ready  \\S*${name} \\(300\\.0 KiB\\)`));
      expect(screen).toMatch(/^FILE\s+SIZE\s+STATUS\s+ASSET\s+URL OR REASON\s*$/m);
      expect(screen).toContain('3 files, 900.0 KiB in');
    });

    it('resumes an interrupted upload from the offset the api holds, not from 0', async () => {
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const folder = scratch('resume');
      const big = randomBytes(3 * 1024 * KiB);
      const bigPath = join(folder, 'big.bin');
      writeFileSync(bigPath, big);
      const chunk = 256 * KiB;
      const proxy = await startRecordingProxy(api.baseUrl);
      const env = asUser(user, scratch('resume-config'), proxy.baseUrl);
      const args = ['upload', bigPath, '--json', '--space', spaceId, '--chunk-size', String(chunk)];
      try {
        // The creation carries the first chunk; let three PATCHes through and hold the fourth: 4 chunks stored.
        const held = proxy.holdPatch(4);
        const first = startCli(args, env);
        const holding = await Promise.race([
          held,
          first.done.then((run) => Promise.reject(new Error(`cli ended first: ${JSON.stringify(run)}`))),
        ]);
        first.child.kill('SIGKILL');
        expect((await first.done).code).toBe(null);
        const uploadPath = new URL(holding.url, api.baseUrl).pathname;
        const head = await request(api.baseUrl).head(uploadPath).set(user.auth).set('Tus-Resumable', '1.0.0').expect(200);
        expect(head.headers['upload-offset']).toBe(String(4 * chunk));

        proxy.requests.length = 0;
        const second = await runCli(args, env);
        expect(second.code).toBe(0);
        const [result] = (JSON.parse(second.stdout) as { files: FileResultJson[] }).files;
        expect(result).toMatchObject({ status: 'ready', uploadId: basename(uploadPath), resumedFrom: 4 * chunk });
        expect(sha256(await delivered(result?.url ?? null))).toBe(sha256(big));

        const tus = proxy.requests.filter((seen) => seen.path.includes('/tus'));
        expect(tus.filter((seen) => seen.method === 'POST')).toEqual([]);
        expect(tus[0]).toMatchObject({ method: 'HEAD', path: uploadPath });
        expect(tus.find((seen) => seen.method === 'PATCH')).toMatchObject({ path: uploadPath, uploadOffset: String(4 * chunk) });
      } finally {
        await proxy.close();
      }
    });
  });

  describe('assets', () => {
    it('ls, get and rm (a published asset is unpublished first)', async () => {
      const user = await newUser(api.baseUrl);
      const spaceId = await newSpace(api.baseUrl, user);
      const folder = scratch('assets');
      writeFileSync(join(folder, 'harbour-notes.txt'), 'harbour\n');
      writeFileSync(join(folder, 'meadow-notes.txt'), 'meadow\n');
      const env = asUser(user);

      const uploaded = await runCli(['upload', folder, '--json', '--publish'], env);
      expect(uploaded.code).toBe(0);
      const files = (JSON.parse(uploaded.stdout) as { files: FileResultJson[] }).files;
      expect(files.map((file) => file.published)).toEqual([true, true]);
      const [harbour, meadow] = files.map((file) => file.assetId ?? '');
      const published = (await assetOf(user, spaceId, harbour ?? '').expect(200)).body as { sys: { publishedVersion?: number } };
      expect(published.sys.publishedVersion).toEqual(expect.any(Number));

      const listed = await runCli(['assets', 'ls', '--json'], env);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as { items: { sys: { id: string } }[] }).items.map((item) => item.sys.id).sort()).toEqual(
        [harbour, meadow].sort(),
      );
      const searched = await runCli(['assets', 'ls', '--query', 'harbour'], env);
      expect(searched.code).toBe(0);
      expect(searched.stdout).toMatch(/^ID\s+TITLE\s+TYPE\s+SIZE\s+STATUS\s+PUBLISHED\s+UPDATED$/m);
      expect(searched.stdout).toContain(`${harbour}  harbour-notes.txt`);
      expect(searched.stdout).not.toContain('meadow');
      expect(searched.stdout).toContain('1 of 1 asset');

      const got = await runCli(['assets', 'get', meadow ?? '', '--json'], env);
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ sys: { id: meadow }, fields: { title: { 'en-US': 'meadow-notes.txt' } } });
      const shown = await runCli(['assets', 'get', meadow ?? ''], env);
      expect(shown.stdout).toMatch(/^title \(en-US\)\s+meadow-notes\.txt$/m);
      expect(shown.stdout).toMatch(/^status \(en-US\)\s+ready$/m);

      const removed = await runCli(['assets', 'rm', harbour ?? '', meadow ?? '', '--json'], env);
      expect(removed.code).toBe(0);
      expect(JSON.parse(removed.stdout)).toEqual({
        assets: [
          { id: harbour, status: 'removed', unpublished: true, reason: null },
          { id: meadow, status: 'removed', unpublished: true, reason: null },
        ],
      });
      await assetOf(user, spaceId, harbour ?? '').expect(404);
      await assetOf(user, spaceId, meadow ?? '').expect(404);

      const missing = await runCli(['assets', 'rm', 'no-such-asset'], env);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/^FAILED {2}no-such-asset: 404 NotFound: /m);
    });

    it('refuses unknown flags and names the space to pick when the token sees several', async () => {
      const user = await newUser(api.baseUrl);
      const first = await newSpace(api.baseUrl, user);
      const second = await newSpace(api.baseUrl, user);

      const unknown = await runCli(['assets', 'ls', '--nope'], asUser(user));
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("unknown option '--nope'");

      const ambiguous = await runCli(['assets', 'ls'], asUser(user));
      expect(ambiguous.code).toBe(1);
      expect(ambiguous.stderr).toContain('name one with --space');
      expect(ambiguous.stderr).toContain(first);
      expect(ambiguous.stderr).toContain(second);
    });
  });
});

interface SeenRequest {
  method: string;
  path: string;
  uploadOffset: string | undefined;
}

/**
 * A pass-through HTTP proxy in front of the api that records every request, and can hold one tus PATCH
 * unanswered (never forwarded) to interrupt an upload at a known offset.
 */
async function startRecordingProxy(target: string) {
  const requests: SeenRequest[] = [];
  let hold: { patches: number; seen: number; resolve: (request: { url: string }) => void } | undefined;
  const heldResponses: ServerResponse[] = [];

  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const path = new URL(incoming.url ?? '/', 'http://proxy.invalid').pathname;
    const header = incoming.headers['upload-offset'];
    requests.push({ method: incoming.method ?? '', path, uploadOffset: Array.isArray(header) ? header[0] : header });
    if (hold && incoming.method === 'PATCH' && path.includes('/tus/')) {
      hold.seen += 1;
      if (hold.seen === hold.patches) {
        heldResponses.push(outgoing);
        hold.resolve({ url: incoming.url ?? '' });
        hold = undefined;
        return;
      }
    }
    const upstream = httpRequest(
      new URL(incoming.url ?? '/', target),
      { method: incoming.method, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    /** Resolves with the URL of the `patches`th tus PATCH, which is held: neither forwarded nor answered. */
    holdPatch(patches: number): Promise<{ url: string }> {
      return new Promise((resolve) => (hold = { patches, seen: 0, resolve }));
    },
    async close() {
      for (const response of heldResponses) response.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
