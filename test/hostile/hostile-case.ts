import type { Response } from 'supertest';
import type { ErrorId } from '@hangar/domain';
import { JSON_TYPE } from '../support/factories';

/** The ids the corpus refers to, made in `beforeAll`. */
export type Ids = Record<'space' | 'other' | 'asset' | 'upload' | 'otherUpload' | 'stranger', string>;

export interface HostileRequest {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
  /** `{space}`, `{other}` (a space of another user, `{stranger}`), `{asset}`, `{upload}` and `{otherUpload}` are filled in. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A request that must be refused with this status and this Contentful error id. */
export interface RefusedCase extends HostileRequest {
  status: number;
  error: ErrorId;
}

/** A request that looks odd but is valid: it must succeed, and its answer must hold what `check` asserts. */
export interface AcceptedCase extends HostileRequest {
  status: number;
  check: (response: Response, context: { baseUrl: string; auth: { Authorization: string }; ids: Ids }) => Promise<void> | void;
}

export type HostileCase = RefusedCase | AcceptedCase;

export const json = (value: unknown): string => JSON.stringify(value);

/** A refusal: the route, what is wrong with the request, and the status and error id it must get. */
export const refused = (
  name: string,
  method: HostileCase['method'],
  path: string,
  status: number,
  error: ErrorId,
  extra: Pick<HostileCase, 'headers' | 'body'> = {},
): HostileCase => ({ name, method, path, status, error, ...extra });
export const J = { 'Content-Type': JSON_TYPE };
export const OCTET = { 'Content-Type': 'application/octet-stream' };
