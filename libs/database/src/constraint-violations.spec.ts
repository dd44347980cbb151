import { Prisma } from './generated/client';
import { constraintViolationOf } from './constraint-violations';

/** Errors shaped as Prisma 7 over the pg driver adapter raises them (captured from real queries). */
function prismaError(code: string, cause: Record<string, unknown>, message = 'Invalid `prisma.locale.create()` invocation') {
  return new Prisma.PrismaClientKnownRequestError(message, {
    code,
    clientVersion: '7',
    meta: { modelName: 'Locale', driverAdapterError: { name: 'DriverAdapterError', cause } },
  });
}

const UNIQUE_CAUSE = {
  originalCode: '23505',
  originalMessage: 'duplicate key value violates unique constraint "Locale_spaceId_environmentId_code_key"',
  kind: 'UniqueConstraintViolation',
  constraint: { index: 'Locale_spaceId_environmentId_code_key' },
  table: 'Locale',
};
const FOREIGN_KEY_CAUSE = {
  originalCode: '23503',
  originalMessage: 'insert or update on table "Locale" violates foreign key constraint "Locale_spaceId_environmentId_fkey"',
  kind: 'ForeignKeyConstraintViolation',
  constraint: { index: 'Locale_spaceId_environmentId_fkey' },
};

describe('constraint violations', () => {
  it('reads unique and foreign-key violations of model queries', () => {
    expect(constraintViolationOf(prismaError('P2002', UNIQUE_CAUSE))).toEqual({
      kind: 'unique',
      target: 'Locale_spaceId_environmentId_code_key',
    });
    expect(constraintViolationOf(prismaError('P2003', FOREIGN_KEY_CAUSE))).toEqual({
      kind: 'foreign-key',
      target: 'Locale_spaceId_environmentId_fkey',
    });
  });

  it('reads them from raw queries (P2010), whose Prisma code says only "raw query failed"', () => {
    expect(constraintViolationOf(prismaError('P2010', UNIQUE_CAUSE))).toEqual({ kind: 'unique', target: UNIQUE_CAUSE.constraint.index });
    expect(constraintViolationOf(prismaError('P2010', FOREIGN_KEY_CAUSE))?.kind).toBe('foreign-key');
    // The library engine's shape: the SQLSTATE in meta.code.
    expect(constraintViolationOf({ code: 'P2010', meta: { code: '23505', message: 'duplicate key' } })).toEqual({
      kind: 'unique',
      target: '',
    });
    // An error Prisma could not classify keeps the SQLSTATE and the constraint only in its text.
    const unknown = new Prisma.PrismaClientUnknownRequestError(
      'Raw query failed. Code: `23503`. Message: `insert or update on table "AssetFile" violates foreign key constraint "AssetFile_asset_fkey"`',
      { clientVersion: '7' },
    );
    expect(constraintViolationOf(unknown)).toEqual({ kind: 'foreign-key', target: 'AssetFile_asset_fkey' });
  });

  it('reads the driver error itself, wrapped or not, and older meta.target forms', () => {
    const pg = Object.assign(new Error('duplicate key value'), { code: '23505', constraint: 'User_email_key' });
    expect(constraintViolationOf(pg)).toEqual({ kind: 'unique', target: 'User_email_key' });
    expect(constraintViolationOf(new Error('wrapped', { cause: pg }))).toEqual({ kind: 'unique', target: 'User_email_key' });
    expect(constraintViolationOf({ code: 'P2002', meta: { target: ['spaceId', 'userId'] } })).toEqual({
      kind: 'unique',
      target: 'spaceId,userId',
    });
    expect(constraintViolationOf({ code: 'P2003', meta: { field_name: 'Asset_environment_fkey (index)' } })).toEqual({
      kind: 'foreign-key',
      target: 'Asset_environment_fkey (index)',
    });
  });

  it('is undefined for every other error', () => {
    for (const error of [
      prismaError('P2039', { originalCode: '22021', kind: 'postgres', message: 'invalid byte sequence for encoding "UTF8": 0x00' }),
      prismaError('P2010', { originalCode: '57P01', kind: 'postgres' }, 'Raw query failed. Code: `N/A`.'),
      { code: 'P2025' },
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      new Error('syntax error'),
      'P2002',
      undefined,
      null,
    ])
      expect(constraintViolationOf(error)).toBeUndefined();
  });
});
