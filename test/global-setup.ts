import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from './support/test-database';

/**
 * Runs once before the integration tests: makes sure the test database
 * exists on the running PostgreSQL and applies the committed migrations to it.
 * The services themselves are started by `npm test` (scripts/test.sh).
 */
export default async function globalSetup(): Promise<void> {
  const target = new URL(TEST_DATABASE_URL);
  const databaseName = target.pathname.slice(1);
  const maintenance = new URL(TEST_DATABASE_URL);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Integration tests need PostgreSQL at ${target.host}; run "npm run services:up" (${(error as Error).message})`);
  }
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${databaseName.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  execFileSync(process.execPath, [resolve(__dirname, '../scripts/prisma-migrate.mjs'), 'deploy'], {
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
