/** The integration tests' own database, beside the development one on the same PostgreSQL. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://hangar:hangar@127.0.0.1:55432/hangar_test';
