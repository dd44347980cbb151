import { EventTopic } from './event-topics';
import { shortTopicOf, topicMatches, topicPatternProblem } from './webhook-topics';

describe('webhook topics', () => {
  test('short forms', () => {
    expect(shortTopicOf(EventTopic.AssetPublish)).toBe('Asset.publish');
    expect(shortTopicOf(EventTopic.AssetProcessed)).toBe('Asset.processed');
    expect(shortTopicOf(EventTopic.UploadExpire)).toBe('Upload.expire');
  });

  test.each([
    ['Asset.publish', undefined],
    ['Asset.*', undefined],
    ['*.publish', undefined],
    ['*.*', undefined],
    ['Asset.processed', undefined],
    ['Upload.expire', undefined],
    ['File.version_create', undefined],
    ['Entry.publish', 'unknown type Entry'],
    ['Asset.explode', 'unknown action explode for Asset'],
    ['*.explode', 'unknown action explode for *'],
    ['Asset', 'a topic is Type.action'],
    ['Asset.publish.now', 'a topic is Type.action'],
  ])('%s', (pattern, problem) => {
    const found = topicPatternProblem(pattern);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  test('matching', () => {
    expect(topicMatches(['Asset.publish'], EventTopic.AssetPublish)).toBe(true);
    expect(topicMatches(['Asset.publish'], EventTopic.AssetUnpublish)).toBe(false);
    expect(topicMatches(['Asset.*'], EventTopic.AssetProcessed)).toBe(true);
    expect(topicMatches(['*.delete'], EventTopic.UploadDelete)).toBe(true);
    expect(topicMatches(['*.delete'], EventTopic.UploadExpire)).toBe(false);
    expect(topicMatches(['*.*'], EventTopic.FolderCreate)).toBe(true);
    expect(topicMatches([], EventTopic.FolderCreate)).toBe(false);
  });
});
