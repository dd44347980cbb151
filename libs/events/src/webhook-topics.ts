import { type EventEntityType, EventTopic } from './event-topics';

/**
 * Webhook topics as Contentful's definitions write them: `Type.action`, with
 * `*` for any type or any action (`Asset.publish`, `Asset.*`, `*.publish`,
 * `*.*`). An event's full topic (`ContentManagement.Asset.publish`,
 * `Hangar.Asset.processed`) is its `X-Contentful-Topic`; its short form
 * (`Asset.publish`, `Asset.processed`) is what definitions match.
 */

/** `ContentManagement.Asset.publish` → `Asset.publish`; `Hangar.Upload.expire` → `Upload.expire`. */
export function shortTopicOf(topic: EventTopic): string {
  return topic.slice(topic.indexOf('.') + 1);
}

/** Every action each entity type has, from the events Hangar stages. */
export const WEBHOOK_ACTIONS: Readonly<Record<EventEntityType, readonly string[]>> = (() => {
  const actions: Record<EventEntityType, string[]> = { Asset: [], Upload: [], File: [], Folder: [] };
  for (const topic of Object.values(EventTopic)) {
    const [type = '', action = ''] = shortTopicOf(topic).split('.');
    actions[type as EventEntityType].push(action);
  }
  // Contentful's web app saves on its own (auto_save); Hangar has no such editor and never sends it, but definitions
  // made for Contentful name it and must still be accepted.
  actions.Asset.push('auto_save');
  return actions;
})();

/** Why a topic pattern is not one, or undefined when it is (`Entry.publish` is refused: Hangar has no entries). */
export function topicPatternProblem(pattern: string): string | undefined {
  const parts = pattern.split('.');
  if (parts.length !== 2) return 'a topic is Type.action, each part a name or *';
  const [type = '', action = ''] = parts;
  if (type !== '*' && !(type in WEBHOOK_ACTIONS)) return `unknown type ${type} (one of ${Object.keys(WEBHOOK_ACTIONS).join(', ')}, or *)`;
  if (action === '*') return undefined;
  const actions = type === '*' ? Object.values(WEBHOOK_ACTIONS).flat() : WEBHOOK_ACTIONS[type as EventEntityType];
  if (!actions.includes(action)) return `unknown action ${action} for ${type}`;
  return undefined;
}

/** Whether any of a definition's topic patterns matches the event's topic. */
export function topicMatches(patterns: readonly string[], topic: EventTopic): boolean {
  const [type, action] = shortTopicOf(topic).split('.');
  return patterns.some((pattern) => {
    const [patternType, patternAction] = pattern.split('.');
    return (patternType === '*' || patternType === type) && (patternAction === '*' || patternAction === action);
  });
}
