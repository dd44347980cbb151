import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, freePort, spawnApp, waitFor } from './support/processes';
import { TEST_ADMIN_TOKEN, testProcessEnv } from './support/test-env';

const testEnv = (extra: Record<string, string> = {}) => testProcessEnv({ LOG_LEVEL: 'error', ...extra });

describe('the built apps', () => {
  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist/apps/api/src/main.js'))) {
      throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
    }
  });

  it('refuse to boot on an invalid DATABASE_URL with one line naming it', async () => {
    const { exited } = spawnApp('api', testEnv({ DATABASE_URL: 'mysql://nope' }));
    const result = await exited;
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hangar api failed to start: Invalid configuration: DATABASE_URL /);
  });

  it('refuse to boot when PostgreSQL cannot be reached, saying where and which variable', async () => {
    const port = await freePort();
    const { exited } = spawnApp('worker', testEnv({ DATABASE_URL: `postgresql://hangar:secret@127.0.0.1:${port}/hangar` }));
    const result = await exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Cannot connect to PostgreSQL at postgresql:\/\/hangar:\*\*\*@127\.0\.0\.1:\d+\/hangar \(DATABASE_URL\): Can't reach database server at 127\.0\.0\.1:\d+/,
    );
    expect(result.stderr).not.toContain('secret');
  });

  it('api serves, logs JSON with request ids, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, exited } = spawnApp('api', testEnv({ PORT: String(port), LOG_LEVEL: 'info' }));
    let ready = false;
    await waitFor(
      async () => {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        return ready || child.exitCode !== null;
      },
      20_000,
      'api to be ready',
    );
    expect(ready).toBe(true);
    const response = await fetch(`http://127.0.0.1:${port}/spaces`);
    expect(response.status).toBe(401);
    const requestId = response.headers.get('x-contentful-request-id');
    // A JSON body goes through the body parser, whose callbacks run outside the request's context.
    const parsed = await fetch(`http://127.0.0.1:${port}/spaces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify({ name: 42 }),
    });
    expect(parsed.status).toBe(422);
    const parsedId = parsed.headers.get('x-contentful-request-id');
    child.kill('SIGTERM');
    const result = await exited;
    expect(result).toMatchObject({ code: 0, signal: null });
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.msg === 'api listening')).toBe(true);
    expect(lines.some((line) => line.msg === 'api stopped')).toBe(true);
    expect(lines.every((line) => typeof line.time === 'string' && typeof line.level === 'string')).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TEST_ADMIN_TOKEN);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', method: 'GET', path: '/spaces', status: 401, requestId }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', method: 'POST', status: 422, requestId: parsedId }));
  });

  it('worker starts, logs human-readable lines with LOG_FORMAT=pretty, and exits cleanly on SIGTERM', async () => {
    const { child, exited } = spawnApp('worker', testEnv({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' }));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('worker ready') || child.exitCode !== null, 20_000, 'worker to be ready');
    child.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(0);
    // Piped, so no colour even though the format is forced.
    expect(output).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}worker Main worker ready$/m);
    expect(output).not.toContain('{"time"');
    expect(output).not.toContain('\x1b[');
  });
});
