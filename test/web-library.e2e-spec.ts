import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { type Browser, type BrowserContext, type Page, type Route, chromium } from 'playwright-core';
import request from 'supertest';
import { newSpace, newUser, type TestUser, uniqueName } from './support/factories';
import { makeImage } from './support/images';
import { type ExitResult, freePort, REPO_ROOT, spawnApp, waitFor } from './support/processes';
import { testProcessEnv } from './support/test-env';
import { startWorker } from './support/worker-harness';

const CHROMIUM = process.env.HANGAR_CHROMIUM ?? '/usr/bin/chromium';
const WEB_BUILD = join(REPO_ROOT, 'dist/apps/web');
const SCREENSHOTS = join(REPO_ROOT, '.hangar/screenshots');
const DEADLINE_MS = 60_000;
/** The library's tus chunk (apps/web/src/uploader.tsx): the interrupted upload is cut after its first one. */
const CHUNK_BYTES = 5 * 1024 * 1024;

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
  /** How many times the api had been started when this request was made. */
  readonly apiGeneration: number;
}

/**
 * The media library in a real browser (issue 15 item 2): Debian's Chromium, headless, driven by playwright-core,
 * against a built api process on a fixed port (so it can be restarted under the page) and a worker. Every name,
 * byte count and digest compared is one this test made; each step leaves a screenshot in .hangar/screenshots/.
 */
jest.setTimeout(120_000);

describe('the media library in Chromium', () => {
  let port: number;
  let baseUrl: string;
  let api: { child: ChildProcess; exited: Promise<ExitResult> } | undefined;
  let apiGeneration = 0;
  let worker: INestApplicationContext;
  let user: TestUser;
  let space: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const tus: TusExchange[] = [];
  const run = uniqueName('lib');
  const names = { harbour: `harbour-${run}.png`, lighthouse: `lighthouse-${run}.png`, dunes: `dunes-${run}.webp` };
  const files = new Map<string, Buffer>();

  const startApiProcess = async () => {
    api = spawnApp(
      'api',
      testProcessEnv({ PORT: String(port), PUBLIC_BASE_URL: baseUrl, LIBRARY_DIR: WEB_BUILD, EVENT_STREAM_POLL_MS: '50' }),
    );
    apiGeneration += 1;
    await waitFor(
      () =>
        fetch(`${baseUrl}/health/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
      `api on ${baseUrl}`,
    );
  };
  const stopApiProcess = async () => {
    if (api === undefined) return;
    api.child.kill('SIGTERM');
    await api.exited;
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
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    await startApiProcess();
    // The worker writes the file URLs: on the api this page talks to.
    worker = await startWorker({ PUBLIC_BASE_URL: baseUrl });
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
    page.on('requestfailed', (failed) => consoleErrors.push(`failed: ${failed.method()} ${failed.url()} ${failed.failure()?.errorText}`));
    page.on('request', (sent) => {
      if (!sent.url().includes('/tus')) return;
      const offset = sent.headers()['upload-offset'];
      tus.push({ method: sent.method(), url: sent.url(), sentOffset: offset === undefined ? undefined : Number(offset), apiGeneration });
    });
    page.on('response', (answer) => {
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
    await worker?.close();
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

  it('resumes an upload cut by an api restart from where it was, not from the start', async () => {
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
    await stopApiProcess();
    const startedAgain = startApiProcess();
    // Sent now, it meets no api: the browser's own connection error, as for any request during a restart.
    await route.fallback();
    await startedAgain;
    await shot('08-api-restarted');

    await page.locator(`.arrivals li[data-file-name="${big.name}"][data-status="ready"]`).waitFor({ timeout: 90_000 });
    await page.unroute('**/tus/**');

    const afterRestart = tus.filter((exchange) => exchange.apiGeneration === apiGeneration);
    const resumedAt = afterRestart.find((exchange) => exchange.method === 'HEAD' && exchange.status === 200)?.answeredOffset;
    expect(resumedAt).toBe(CHUNK_BYTES);
    const patchesAfter = afterRestart.filter((exchange) => exchange.method === 'PATCH');
    expect(patchesAfter[0]?.sentOffset).toBe(CHUNK_BYTES);
    expect(patchesAfter.every((exchange) => (exchange.sentOffset ?? 0) > 0)).toBe(true);
    expect(patchesAfter.at(-1)?.answeredOffset).toBe(big.bytes.length);

    const [asset] = await assetTitled(big.name);
    const file = asset?.fields.file['en-US'];
    expect(file?.details.size).toBe(big.bytes.length);
    const delivered = Buffer.from(await (await fetch(new URL(file?.url ?? '', baseUrl))).arrayBuffer());
    expect(createHash('sha256').update(delivered).digest('hex')).toBe(createHash('sha256').update(big.bytes).digest('hex'));
    await shot('09-resumed');
    // Only the browser's reports of requests that met the stopped api (the cut PATCH, the event stream's reconnects).
    expect(consoleErrors.filter((text) => !/net::ERR_CONNECTION_(REFUSED|RESET)|ERR_EMPTY_RESPONSE/.test(text))).toEqual([]);
  }, 180_000);
});
