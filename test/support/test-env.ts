import { type AppConfig, loadConfig } from '@hangar/config';

import { TEST_DATABASE_URL } from './test-database';

export { TEST_DATABASE_URL };
export const TEST_ADMIN_TOKEN = 'CFPAT-integration-tests-administrator-token-0000';

/** The variables the apps under test boot with (in this process, or spawned from dist/). */
export function testProcessEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: TEST_DATABASE_URL,
    S3_BUCKET: 'hangar-test',
    // TEST_QUEUE_PREFIX (with TEST_DATABASE_URL) keeps checkouts that share one set of services from taking each other's jobs.
    QUEUE_PREFIX: process.env.TEST_QUEUE_PREFIX ?? 'hangar-test',
    HANGAR_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    HANGAR_ADMIN_EMAIL: 'admin@tests.hangar.local',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    // Test files share tokens across parallel workers; the limiter has its own test (rate-limits-cors).
    RATE_LIMIT_PER_SECOND: '0',
    // Every test client is 127.0.0.1 and several send unknown tokens; the limiter has its own test (rate-limits-cors).
    AUTH_FAILURES_PER_MINUTE: '0',
    // Test files share one database: a worker of another file would fan out (and, on its queues, deliver) a webhook
    // test's events with its own settings. Only the webhook tests' workers fan out, on queues of their own.
    WEBHOOK_FANOUT_INTERVAL_MS: '0',
    ...overrides,
  };
}

/** Builds the config the apps under test boot with, as `main.ts` would from these variables. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testProcessEnv(overrides));
}
