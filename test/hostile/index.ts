import { authCases } from './auth.cases';
import { deliveryCases } from './delivery.cases';
import { dialectCases } from './dialects.cases';
import { errorCases } from './errors.cases';
import { eventStreamCases } from './events.cases';
import { fileCases } from './files.cases';
import { formCases } from './forms.cases';
import type { HostileCase } from './hostile-case';
import { libraryCases } from './library.cases';
import { publicAssetCases } from './public-assets.cases';
import { requestCases } from './requests.cases';
import { routeCases } from './routes.cases';
import { surfaceCases } from './surface.cases';
import { tusCases } from './tus.cases';
import { webhookCases } from './webhooks.cases';
import { zipCases } from './zip.cases';

/** Every hostile case of every area; `hostile-input.e2e-spec.ts` runs them all against one api. */
export function allHostileCases(): HostileCase[] {
  return [
    ...requestCases(),
    ...routeCases(),
    ...deliveryCases(),
    ...authCases(),
    ...errorCases(),
    ...formCases(),
    ...fileCases(),
    ...tusCases(),
    ...zipCases(),
    ...dialectCases(),
    ...publicAssetCases(),
    ...webhookCases(),
    ...eventStreamCases(),
    ...surfaceCases(),
    ...libraryCases(),
  ];
}
