import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { type Browser, type BrowserContext, type Page, type Route, chromium } from 'playwright-core';
import { Client } from 'pg';
import request from 'supertest';
import { adminAuth, newSpace, newUser, type TestUser, uniqueName } from './support/factories';
import { makeImage } from './support/images';
import { type ExitResult, freePort, REPO_ROOT, spawnApp, waitFor } from './support/processes';
import { startRoundRobinProxy } from './support/round-robin-proxy';
import { TEST_DATABASE_URL, testProcessEnv } from './support/test-env';
import { startWorker } from './support/worker-harness';

const CHROMIUM = process.env.HANGAR_CHROMIUM ?? '/usr/bin/chromium';
const WEB_BUILD = join(REPO_ROOT, 'dist/apps/web');
const SCREENSHOTS = join(REPO_ROOT, '.hangar/screenshots');
const DEADLINE_MS = 30_000;
/** The library's tus chunk (apps/web/src/uploader.tsx): the interrupted upload is cut after its first one. */
const CHUNK_BYTES = 5 * 1024 * 1024;

/** The URL of a database named after the test database with `suffix`, on the same server. */
function databaseBeside(url: string, suffix: string): string {
  const target = new URL(url);
  target.pathname = `${target.pathname}_${suffix}`;
  return target.toString();
}

/** Creates the database when missing and applies the migrations, as test/global-setup.ts does for the shared one. */
async function migratedDatabase(url: string): Promise<void> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/prisma-migrate.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The few browser globals the page functions below use (this file is type-checked without the DOM library). */
interface InPage {
  DataTransfer: new () => { items: { add(file: File): void } };
  sessionStorage: { length: number };
  localStorage: Record<string, string>;
  document: { documentElement: { scrollWidth: number } };
  HTMLImageElement: { complete: boolean; naturalWidth: number };
}

interface TusExchange {
  readonly method: string;
  readonly url: string;
  /** Upload-Offset the page sent (PATCH), or the api answered (HEAD, PATCH). */
  readonly sentOffset: number | undefined;
  answeredOffset?: number;
  status?: number;
}

/**
 * The media library in a real browser (issue 15 item 2): Debian's Chromium, headless, driven by playwright-core,
 * against a built api process on a fixed port (so it can be restarted under the page) and a worker. Every name,
 * byte count and digest compared is one this test made; each step leaves a screenshot in .hangar/screenshots/.
 */
jest.setTimeout(120_000);

describe('the media library in Chromium', () => {
  let balancer: Awaited<ReturnType<typeof startRoundRobinProxy>> | undefined;
  let baseUrl: string;
  let api: { child: ChildProcess; exited: Promise<ExitResult> } | undefined;
  let worker: INestApplicationContext;
  let user: TestUser;
  let space: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  /** What explains a failure: refused file and rendition requests, and (printed at the end) the api's log. */
  const diagnostics: string[] = [];
  const apiLogs: string[] = [];
  const tus: TusExchange[] = [];
  const run = uniqueName('lib');
  const names = { harbour: `harbour-${run}.png`, lighthouse: `lighthouse-${run}.png`, dunes: `dunes-${run}.webp` };
  const files = new Map<string, Buffer>();

  /**
   * A database and queues of this file's own: the file URLs the page loads name the api the worker was told of
   * (PUBLIC_BASE_URL), so no other test file's worker (they run in parallel, told of other URLs) may process these
   * assets — and any worker's outbox dispatcher hands over the jobs staged in the database it reads.
   */
  const apps = {
    QUEUE_PREFIX: `${process.env.TEST_QUEUE_PREFIX ?? 'hangar-test'}-web-library`,
    DATABASE_URL: databaseBeside(TEST_DATABASE_URL, 'web_library'),
    // And a bucket: another file's orphan sweep (with its short grace) would take these objects for no one's.
    S3_BUCKET: 'hangar-test-web-library',
  };
  /**
   * The page talks to a balancer whose one upstream is the api process of the moment: its address outlives a restart,
   * and no other process can take it while the api is down. Each api is known by its administrator's email (only
   * this file's apps seed that one), so a port another test's server took meanwhile is never mistaken for ours.
   */
  const upstreams: string[] = [];
  const ADMIN_EMAIL = 'admin-web-library@tests.hangar.local';
  const startApiProcess = async () => {
    const apiUrl = `http://127.0.0.1:${await freePort()}`;
    api = spawnApp(
      'api',
      testProcessEnv({
        ...apps,
        PORT: new URL(apiUrl).port,
        PUBLIC_BASE_URL: baseUrl,
        HANGAR_ADMIN_EMAIL: ADMIN_EMAIL,
        LIBRARY_DIR: WEB_BUILD,
        EVENT_STREAM_POLL_MS: '50',
        LOG_LEVEL: 'warn',
      }),
    );
    await waitFor(
      async () => {
        const me = await fetch(`${apiUrl}/users/me`, { headers: adminAuth }).then(
          (r) => (r.ok ? (r.json() as Promise<{ email?: string }>) : undefined),
          () => undefined,
        );
        return me?.email === ADMIN_EMAIL && (await fetch(`${apiUrl}/health/ready`)).ok;
      },
      30_000,
      `the api on ${apiUrl}`,
    );
    upstreams[0] = apiUrl;
  };
  const stopApiProcess = async () => {
    if (api === undefined) return;
    api.child.kill('SIGTERM');
    const { stdout, stderr } = await api.exited;
    apiLogs.push(stdout, stderr);
    api = undefined;
  };
  const shot = async (name: string) => {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  };
  const api$ = (path: string) => request(baseUrl).get(path).set(user.auth);
  const assetsPath = () => `/spaces/${space}/environments/master/assets`;
  const assetTitled = async (title: string) =>
    (await api$(`${assetsPath()}?fields.title=${encodeURIComponent(title)}`).expect(200)).body.items as {
      sys: { id: string; publishedVersion?: number };
      fields: { file: Record<string, { url: string; fileName: string; details: { size: number } }> };
    }[];
  const expectNoConsoleErrors = () => expect(consoleErrors).toEqual([]);
  /** A real drop: a DataTransfer holding the files, dispatched on the dashboard as dragenter, dragover and drop. */
  const drop = async (dropped: { name: string; type: string; bytes: Buffer }[]) => {
    const dataTransfer = await page.evaluateHandle(
      (list) => {
        const transfer = new (globalThis as unknown as InPage).DataTransfer();
        for (const file of list)
          transfer.items.add(new File([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], file.name, { type: file.type }));
        return transfer;
      },
      dropped.map(({ name, type, bytes }) => ({ name, type, base64: bytes.toString('base64') })),
    );
    const target = page.locator('.uppy-Dashboard-inner');
    for (const type of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(type, { dataTransfer });
  };

  beforeAll(async () => {
    // `npm test` builds the web app before Jest (scripts/test.sh); a lone run of this file builds it when missing.
    if (!existsSync(join(WEB_BUILD, 'index.html')))
      execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (!existsSync(CHROMIUM))
      throw new Error(
        `No Chromium at ${CHROMIUM}: run npm run setup (it installs Debian's chromium), or set HANGAR_CHROMIUM to a Chromium's path.`,
      );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await migratedDatabase(apps.DATABASE_URL);
    balancer = await startRoundRobinProxy(upstreams);
    baseUrl = balancer.baseUrl;
    await startApiProcess();
    // The worker writes the file URLs: on the api this page talks to.
    worker = await startWorker({ ...apps, PUBLIC_BASE_URL: baseUrl });
    user = await newUser(baseUrl);
    space = await newSpace(baseUrl, user);
    files.set(names.harbour, await makeImage(64, 48, 'png', true));
    files.set(names.lighthouse, await makeImage(40, 80, 'png', true));
    files.set(names.dunes, await makeImage(90, 30, 'webp', true));

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(DEADLINE_MS);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    // A request that failed (a rendition, an api call) is as bad as an error logged; one the page ended itself (an
    // event stream closed on leaving an environment) is not.
    page.on('requestfailed', (failed) => {
      const reason = failed.failure()?.errorText ?? '';
      if (reason !== 'net::ERR_ABORTED') consoleErrors.push(`failed: ${failed.method()} ${failed.url()} ${reason}`);
    });
    page.on('request', (sent) => {
      if (!sent.url().includes('/tus')) return;
      const offset = sent.headers()['upload-offset'];
      tus.push({ method: sent.method(), url: sent.url(), sentOffset: offset === undefined ? undefined : Number(offset) });
    });
    page.on('response', (answer) => {
      if (answer.url().includes('/files/') && answer.status() >= 400)
        void answer.text().then(
          (body) => diagnostics.push(`${answer.status()} ${answer.url()}: ${body}`),
          () => diagnostics.push(`${answer.status()} ${answer.url()}`),
        );
      const exchange = tus.findLast((candidate) => candidate.url === answer.url() && candidate.method === answer.request().method());
      if (exchange === undefined || exchange.status !== undefined) return;
      exchange.status = answer.status();
      const offset = answer.headers()['upload-offset'];
      if (offset !== undefined) exchange.answeredOffset = Number(offset);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stopApiProcess();
    await balancer?.close();
    await worker?.close();
    if (consoleErrors.length > 0) console.log([...consoleErrors, ...diagnostics, ...apiLogs].join('\n'));
  });

  it('signs in with a token typed and submitted from the keyboard', async () => {
    await page.goto(`${baseUrl}/library`);
    await page.getByLabel('Access token').focus();
    await page.keyboard.type(user.token);
    await page.keyboard.press('Enter');
    // The token's one space is picked, and its environment, master.
    await page
      .locator('#space')
      .and(page.locator(`:has(option[value="${space}"])`))
      .waitFor();
    await waitFor(async () => (await page.locator('#space').inputValue()) === space, DEADLINE_MS, 'the space picked');
    await page.locator('.uppy-Dashboard-inner').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.length)).toBe(1);
    await shot('01-signed-in');
    expectNoConsoleErrors();
  });

  it('uploads three files dropped on the dashboard, and shows them processed with thumbnails', async () => {
    await drop([...files].map(([name, bytes]) => ({ name, type: name.endsWith('.webp') ? 'image/webp' : 'image/png', bytes })));
    await shot('02-dropped');

    for (const name of files.keys()) await page.locator(`.arrivals li[data-file-name="${name}"][data-status="ready"]`).waitFor();
    for (const [name, bytes] of files) {
      const card = page.locator('.card', { hasText: name });
      const thumbnail = card.locator('img');
      await thumbnail.waitFor();
      await waitFor(
        () => thumbnail.evaluate((img: InPage['HTMLImageElement']) => img.complete && img.naturalWidth > 0),
        DEADLINE_MS,
        `${name}'s thumbnail`,
      );
      // A square WebP rendition through the Images API, of the bytes this test dropped.
      const src = await thumbnail.getAttribute('src');
      expect(src).toMatch(/[?&]fit=thumb/);
      const rendition = await fetch(new URL(src ?? '', baseUrl));
      expect(rendition.headers.get('content-type')).toBe('image/webp');
      const [asset] = await assetTitled(name);
      expect(asset?.fields.file['en-US']).toEqual(
        expect.objectContaining({ fileName: name, details: expect.objectContaining({ size: bytes.length }) }),
      );
    }
    // The token stays in the session (tus keeps only its upload URLs in localStorage, to resume after a reload).
    expect(await page.evaluate(() => JSON.stringify((globalThis as unknown as InPage).localStorage))).not.toContain(user.token);
    await shot('03-processed');
    expectNoConsoleErrors();
  });

  it('finds one file by searching its title', async () => {
    await page.getByLabel('Title contains').fill(`lighthouse-${run}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (await page.locator('.card').count()) === 1, DEADLINE_MS, 'one search result');
    await expect(page.locator('.card .title').textContent()).resolves.toBe(names.lighthouse);
    await shot('04-searched');
    expectNoConsoleErrors();
  });

  it('publishes it from its page', async () => {
    await page.locator('.card a', { hasText: names.lighthouse }).click();
    await page.getByRole('heading', { name: names.lighthouse }).waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('[data-testid="asset-state"]', { hasText: 'published' }).waitFor();
    const [asset] = await assetTitled(names.lighthouse);
    expect(asset?.sys.publishedVersion).toEqual(expect.any(Number));
    await shot('05-published');
    expectNoConsoleErrors();
  });

  it('deletes another', async () => {
    await page.getByRole('link', { name: '← All assets' }).click();
    await page.getByLabel('Title contains').fill(`dunes-${run}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (await page.locator('.card').count()) === 1, DEADLINE_MS, 'the dunes asset alone');
    const [asset] = await assetTitled(names.dunes);
    await page.locator('.card a', { hasText: names.dunes }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByRole('heading', { name: 'Assets' }).waitFor();
    await api$(`${assetsPath()}/${asset?.sys.id}`).expect(404);
    await shot('06-deleted');
    expectNoConsoleErrors();
  });

  it('reads well at 320 px wide', async () => {
    await page.getByLabel('Title contains').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (await page.locator('.card').count()) === 2, DEADLINE_MS, 'the two assets left');
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await shot('07-narrow');
    await page.setViewportSize({ width: 1200, height: 900 });
    expectNoConsoleErrors();
  });

  it('lets a token with no space yet make its first one', async () => {
    const newcomer = await newUser(baseUrl);
    const name = uniqueName('first-space');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').fill(newcomer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Space name').fill(name);
    await page.getByRole('button', { name: 'Create the space' }).click();
    await page.locator('.uppy-Dashboard-inner').waitFor();
    const spaces = (await request(baseUrl).get('/spaces').set(newcomer.auth).expect(200)).body.items as {
      sys: { id: string };
      name: string;
    }[];
    expect(spaces.map((found) => found.name)).toEqual([name]);
    expect(await page.locator('#space').inputValue()).toBe(spaces[0]?.sys.id);
    await shot('08-first-space');
    // Back to the user of the other steps.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').fill(user.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitFor(async () => (await page.locator('#space').inputValue()) === space, DEADLINE_MS, 'the first user’s space');
    await page.locator('.uppy-Dashboard-inner').waitFor();
    expectNoConsoleErrors();
  });

  it('resumes an upload cut by an api restart from where it was, not from the start, and finds it by type', async () => {
    const big = { name: `big-${run}.bin`, bytes: randomBytes(2 * CHUNK_BYTES + 123_457) };
    // The page's second PATCH (the first went through: the api holds one chunk) waits here while the api is stopped.
    let heldPatch: ((route: Route) => void) | undefined;
    const held = new Promise<Route>((resolve) => (heldPatch = resolve));
    let patches = 0;
    await page.route('**/tus/**', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches === 2) return heldPatch?.(route);
      await route.fallback();
    });
    await drop([{ name: big.name, type: 'application/octet-stream', bytes: big.bytes }]);

    const route = await held;
    const cutUrl = route.request().url();
    await stopApiProcess();
    const startedAgain = startApiProcess();
    // Sent now, it meets no api: the balancer answers 502, as a real one does while its upstream restarts.
    await route.fallback();
    await startedAgain;
    await shot('09-api-restarted');

    await page.locator(`.arrivals li[data-file-name="${big.name}"][data-status="ready"]`).waitFor({ timeout: 90_000 });
    await page.unroute('**/tus/**');

    // The page's tus requests for this upload, in the order it made them: the cut PATCH met the stopped api (502);
    // then a HEAD the restarted api answered with the offset it had kept, and PATCHes from there, never from 0.
    const upload = tus.filter((exchange) => exchange.url === cutUrl);
    const cut = upload.findIndex((exchange) => exchange.method === 'PATCH' && exchange.sentOffset === CHUNK_BYTES);
    expect(upload[cut]?.status).toBe(502);
    const resumed = upload.findIndex((exchange, index) => index > cut && exchange.method === 'HEAD' && exchange.status === 200);
    expect(resumed).toBeGreaterThan(cut);
    expect(upload[resumed]?.answeredOffset).toBe(CHUNK_BYTES);
    const patchesAfter = upload.slice(resumed).filter((exchange) => exchange.method === 'PATCH');
    expect(patchesAfter[0]?.sentOffset).toBe(CHUNK_BYTES);
    expect(patchesAfter.every((exchange) => (exchange.sentOffset ?? 0) > 0)).toBe(true);
    expect(patchesAfter.at(-1)?.answeredOffset).toBe(big.bytes.length);

    const [asset] = await assetTitled(big.name);
    const file = asset?.fields.file['en-US'];
    expect(file?.details.size).toBe(big.bytes.length);
    const delivered = Buffer.from(await (await fetch(new URL(file?.url ?? '', baseUrl))).arrayBuffer());
    expect(createHash('sha256').update(delivered).digest('hex')).toBe(createHash('sha256').update(big.bytes).digest('hex'));
    await shot('10-resumed');

    // The type filter: of this space's assets, only the random bytes are an attachment (the rest are images).
    await page.getByLabel('Type').selectOption('attachment');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(
      async () => (await page.locator('.card .title').allTextContents()).join() === big.name,
      DEADLINE_MS,
      'the attachment alone',
    );
    // Only the browser's reports of requests that met the stopped api (the cut PATCH, HEADs and polls meanwhile, the
    // event stream's reconnects): the balancer's 502s, or a stream cut as the api stopped.
    expect(consoleErrors.filter((text) => !/status of 502 \(Bad Gateway\)|net::ERR_(EMPTY_RESPONSE|CONNECTION_RESET)/.test(text))).toEqual(
      [],
    );
  }, 180_000);
});
