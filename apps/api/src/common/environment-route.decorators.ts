import { SetMetadata } from '@nestjs/common';

export const CREATES_ENVIRONMENT = 'hangar:creates-environment';
export const ANY_ENVIRONMENT_WHEN_EQUAL_TO = 'hangar:any-environment-when-equal-to';

/** The route creates the environment it names, so an unknown `:environmentId` is what it expects, not a 404. */
export const CreatesEnvironment = () => SetMetadata(CREATES_ENVIRONMENT, true);

/**
 * On this route an `:environmentId` segment equal to the named path parameter
 * stands for "whichever environment of the space": the guard lets it through
 * and the handler looks the resource up by its own (unique) id. It exists for
 * contentful-management's legacy `Upload.delete()`, which sends the upload id
 * where the environment id goes.
 */
export const AnyEnvironmentWhenEqualTo = (parameter: string) => SetMetadata(ANY_ENVIRONMENT_WHEN_EQUAL_TO, parameter);
