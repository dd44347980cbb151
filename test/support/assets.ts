import request from 'supertest';
import { JSON_TYPE } from './factories';

export interface AssetClient {
  baseUrl: string;
  auth: { Authorization: string };
  spaceId: string;
  environmentId?: string;
}

const base = (c: AssetClient) => `/spaces/${c.spaceId}/environments/${c.environmentId ?? 'master'}`;

export async function uploadBytes(c: AssetClient, bytes: Buffer): Promise<string> {
  const response = await request(c.baseUrl)
    .post(`${base(c)}/uploads`)
    .set(c.auth)
    .set('Content-Type', 'application/octet-stream')
    .send(bytes)
    .expect(201);
  return (response.body as { sys: { id: string } }).sys.id;
}

/**
 * The path of a delivered file's URL, to request it from the api under test: the URL is protocol-relative
 * (`//host/…`, an https PUBLIC_BASE_URL) or absolute (`http://host/…`), and names the public host, not the test's.
 */
export function deliveryPathOf(url: string | undefined): string {
  return new URL(url ?? '', 'http://delivery.invalid').pathname;
}

export const uploadLink = (id: string) => ({ sys: { type: 'Link', linkType: 'Upload', id } });

export function fileField(uploadId: string, fileName = 'picture.png', contentType = 'image/png') {
  return { contentType, fileName, uploadFrom: uploadLink(uploadId) };
}

export function createAsset(c: AssetClient, fields: Record<string, unknown>) {
  return request(c.baseUrl)
    .post(`${base(c)}/assets`)
    .set(c.auth)
    .set('Content-Type', JSON_TYPE)
    .send({ fields });
}

export function getAsset(c: AssetClient, id: string) {
  return request(c.baseUrl)
    .get(`${base(c)}/assets/${id}`)
    .set(c.auth);
}

export function processLocale(c: AssetClient, id: string, locale: string, version: number) {
  return request(c.baseUrl)
    .put(`${base(c)}/assets/${id}/files/${locale}/process`)
    .set(c.auth)
    .set('X-Contentful-Version', String(version));
}

/** `fields.file[locale].hangar`: what Hangar adds beside `details` for raster images. */
export interface HangarFileJson {
  placeholder: { thumbhash: string };
  dominantColor: string;
  exifOrientation?: number;
  hasGps: boolean;
}

export interface AssetJson {
  sys: { id: string; version: number; fileProcessing?: Record<string, { status: string; reason?: string }>; [key: string]: unknown };
  fields: {
    title?: Record<string, string>;
    file?: Record<
      string,
      {
        url?: string;
        contentType: string;
        fileName: string;
        uploadFrom?: unknown;
        details?: { size: number; image?: { width: number; height: number } };
        hangar?: HangarFileJson;
      }
    >;
  };
}

/** Polls the asset until the locale's file has a url or its processing failed; returns the asset and the wait. */
export async function waitForProcessing(c: AssetClient, id: string, locale: string, timeoutMs = 15_000) {
  const started = Date.now();
  for (;;) {
    const response = await getAsset(c, id);
    const body = response.body as AssetJson;
    const status = body.sys.fileProcessing?.[locale]?.status;
    if (body.fields.file?.[locale]?.url || status === 'failed') return { body, waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`asset ${id} ${locale} not processed after ${timeoutMs} ms (${status})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
