import type { Prisma } from '@hangar/database';

/** What a transformation body's placeholders may point into, as Contentful documents it. */
export interface WebhookContext {
  readonly topic: string;
  readonly payload: Prisma.JsonValue;
  readonly actorId: string | null;
}

/** `{ /payload/sys/id }`: a JSON pointer between braces. */
const PLACEHOLDER = /\{\s*(\/[^{}\s]*)\s*\}/g;
const WHOLE_PLACEHOLDER = /^\{\s*(\/[^{}\s]*)\s*\}$/;

/**
 * A transformation's body with its placeholders filled in, as Contentful
 * does: a string that is exactly one placeholder becomes the value it points
 * to (an object, a number…); a placeholder inside a longer string is replaced
 * by the value as text. Pointers resolve against `{topic, user: {sys: {id}},
 * payload}`; one that points nowhere gives null (or an empty string inside text).
 */
export function renderTransformationBody(template: Prisma.JsonValue, context: WebhookContext): Prisma.JsonValue {
  const root = { topic: context.topic, user: { sys: { id: context.actorId } }, payload: context.payload };
  const render = (value: Prisma.JsonValue): Prisma.JsonValue => {
    if (typeof value === 'string') {
      const whole = WHOLE_PLACEHOLDER.exec(value);
      if (whole?.[1] !== undefined) return pointer(root, whole[1]) ?? null;
      return value.replace(PLACEHOLDER, (_match, path: string) => {
        const found = pointer(root, path);
        return found === undefined || found === null ? '' : typeof found === 'string' ? found : JSON.stringify(found);
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item ?? null)]));
    return value;
  };
  return render(template);
}

/** RFC 6901: `/a/b~1c/0`. */
function pointer(root: unknown, path: string): Prisma.JsonValue | undefined {
  let current: unknown = root;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as Prisma.JsonValue;
}
