import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, REPO_ROOT } from './processes';

const run = promisify(execFile);

export type ScratchService = 'postgres' | 'minio';

/**
 * Throw-away PostgreSQL and MinIO instances of our own (same scripts/services.sh
 * as development, other ports and data dir), for tests that stop a dependency
 * mid-request without disturbing the shared services other tests use.
 */
export class ScratchServices {
  private constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    /** Config variables pointing an app at these instances. */
    readonly appEnv: Record<string, string>,
  ) {}

  static async start(services: ScratchService[]): Promise<ScratchServices> {
    const dir = join(REPO_ROOT, '.hangar', 'scratch', `${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(dir, { recursive: true });
    const [pgPort, minioPort, consolePort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      HANGAR_DATA_DIR: dir,
      HANGAR_PG_PORT: String(pgPort),
      HANGAR_MINIO_PORT: String(minioPort),
      HANGAR_MINIO_CONSOLE_PORT: String(consolePort),
      HANGAR_WAIT_SECONDS: '30',
    };
    const appEnv: Record<string, string> = {};
    if (services.includes('postgres')) appEnv.DATABASE_URL = `postgresql://hangar:hangar@127.0.0.1:${pgPort}/hangar`;
    if (services.includes('minio')) appEnv.S3_ENDPOINT = `http://127.0.0.1:${minioPort}`;
    const scratch = new ScratchServices(dir, env, appEnv);
    await scratch.services('up', ...services);
    if (appEnv.DATABASE_URL) {
      await run(process.execPath, [join(REPO_ROOT, 'scripts/prisma-migrate.mjs'), 'deploy'], {
        env: { ...process.env, DATABASE_URL: appEnv.DATABASE_URL },
      });
    }
    return scratch;
  }

  async stop(service: ScratchService): Promise<void> {
    await this.services('stop', service);
  }

  async start(service: ScratchService): Promise<void> {
    await this.services('start', service);
  }

  async destroy(): Promise<void> {
    await this.services('down').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async services(command: string, ...names: string[]): Promise<void> {
    const services = names.length > 0 ? names : (['postgres', 'minio'] as const).filter((name) => this.isUsed(name));
    await run('bash', [join(REPO_ROOT, 'scripts/services.sh'), command, ...services], { env: this.env });
  }

  private isUsed(service: ScratchService): boolean {
    return service === 'postgres' ? 'DATABASE_URL' in this.appEnv : 'S3_ENDPOINT' in this.appEnv;
  }
}
