/** One part of a hand-built multipart/form-data body: exact bytes, so tests can send what browsers and attackers send. */
export interface FormPart {
  name: string;
  /** Written as `filename="…"` in raw UTF-8, as browsers do. */
  fileName?: string;
  /** Written as `filename*=…` verbatim (RFC 5987: `UTF-8''%E6%97%A5.png`). */
  fileNameStar?: string;
  contentType?: string;
  data: Buffer | string;
}

export const FORM_BOUNDARY = '----HangarFormBoundary7MA4YWxkTrZu0gW';
export const FORM_TYPE = `multipart/form-data; boundary=${FORM_BOUNDARY}`;

export function partHead(part: Omit<FormPart, 'data'>, boundary = FORM_BOUNDARY): Buffer {
  const disposition = [
    `form-data; name="${part.name}"`,
    ...(part.fileName === undefined ? [] : [`filename="${part.fileName}"`]),
    ...(part.fileNameStar === undefined ? [] : [`filename*=${part.fileNameStar}`]),
  ].join('; ');
  const lines = [`--${boundary}`, `Content-Disposition: ${disposition}`];
  if (part.contentType !== undefined) lines.push(`Content-Type: ${part.contentType}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

export function formEnd(boundary = FORM_BOUNDARY): Buffer {
  return Buffer.from(`--${boundary}--\r\n`);
}

/** A whole multipart/form-data body. */
export function formBody(parts: FormPart[], boundary = FORM_BOUNDARY): Buffer {
  return Buffer.concat([
    ...parts.flatMap((part) => [partHead(part, boundary), Buffer.from(part.data), Buffer.from('\r\n')]),
    formEnd(boundary),
  ]);
}
