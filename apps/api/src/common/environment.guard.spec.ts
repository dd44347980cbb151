import { Controller, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HangarError, NotFoundError } from '@hangar/domain';
import type { EnvironmentsService } from '../environments/environments.service';
import { AnyEnvironmentWhenEqualTo, CreatesEnvironment } from './environment-route.decorators';
import { EnvironmentGuard } from './environment.guard';

const EXISTING = new Set(['space-1/master', 'space-1/staging']);

/** Answers like the real service: the environment, or 404 `NotFound` for type Environment. */
const environments = {
  lookups: [] as string[],
  get(spaceId: string, environmentId: string): Promise<unknown> {
    environments.lookups.push(`${spaceId}/${environmentId}`);
    return EXISTING.has(`${spaceId}/${environmentId}`)
      ? Promise.resolve({ spaceId, id: environmentId })
      : Promise.reject(new NotFoundError('Environment', environmentId));
  },
};

@Controller()
class RoutesUnderTest {
  plain(): void {}
  @CreatesEnvironment()
  creates(): void {}
  @AnyEnvironmentWhenEqualTo('fileId')
  aliasedByFile(): void {}
}

function contextFor(handler: () => void, params: Record<string, string>): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => RoutesUnderTest,
    switchToHttp: () => ({ getRequest: () => ({ params }) }),
  } as unknown as ExecutionContext;
}

async function refusal(promise: Promise<boolean>): Promise<HangarError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HangarError);
  return error as HangarError;
}

describe('EnvironmentGuard', () => {
  const guard = new EnvironmentGuard(new Reflector(), environments as unknown as EnvironmentsService);
  const { plain, creates, aliasedByFile } = RoutesUnderTest.prototype;
  beforeEach(() => {
    environments.lookups = [];
  });

  it('lets a route through when its environment exists in the space', async () => {
    await expect(guard.canActivate(contextFor(plain, { spaceId: 'space-1', environmentId: 'staging' }))).resolves.toBe(true);
    expect(environments.lookups).toEqual(['space-1/staging']);
  });

  it("refuses an unknown environment with the Environment's 404", async () => {
    const error = await refusal(guard.canActivate(contextFor(plain, { spaceId: 'space-1', environmentId: 'nowhere' })));
    expect(error.errorId).toBe('NotFound');
    expect(error.status).toBe(404);
    expect(error.details).toEqual({ type: 'Environment', id: 'nowhere' });
  });

  it('looks the environment up in the space of the path, not in any space', async () => {
    const error = await refusal(guard.canActivate(contextFor(plain, { spaceId: 'space-2', environmentId: 'master' })));
    expect(error.details).toEqual({ type: 'Environment', id: 'master' });
  });

  it('does not look anything up on routes without both a space and an environment segment', async () => {
    await expect(guard.canActivate(contextFor(plain, { spaceId: 'space-1', assetId: 'a' }))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor(plain, { environmentId: 'nowhere' }))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor(plain, {}))).resolves.toBe(true);
    expect(environments.lookups).toEqual([]);
  });

  it('lets the route that creates environments through with an unknown one', async () => {
    await expect(guard.canActivate(contextFor(creates, { spaceId: 'space-1', environmentId: 'new-one' }))).resolves.toBe(true);
    expect(environments.lookups).toEqual([]);
  });

  it('reads an environment segment equal to the declared parameter as "whichever environment"', async () => {
    await expect(
      guard.canActivate(contextFor(aliasedByFile, { spaceId: 'space-1', environmentId: 'file-9', fileId: 'file-9' })),
    ).resolves.toBe(true);
    expect(environments.lookups).toEqual([]);
    const error = await refusal(
      guard.canActivate(contextFor(aliasedByFile, { spaceId: 'space-1', environmentId: 'nowhere', fileId: 'file-9' })),
    );
    expect(error.details).toEqual({ type: 'Environment', id: 'nowhere' });
  });

  it('checks an undecorated route even when its environment segment equals another parameter', async () => {
    const error = await refusal(
      guard.canActivate(contextFor(plain, { spaceId: 'space-1', environmentId: 'upload-7', uploadId: 'upload-7' })),
    );
    expect(error.details).toEqual({ type: 'Environment', id: 'upload-7' });
  });
});
