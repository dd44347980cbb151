import { createLogger, type LogFormatSetting } from './create-logger';
import { JsonLogger } from './json-logger';
import { PrettyLogger } from './pretty-logger';

describe('createLogger', () => {
  it.each<[LogFormatSetting, boolean, typeof JsonLogger | typeof PrettyLogger]>([
    ['auto', true, PrettyLogger],
    ['auto', false, JsonLogger],
    ['json', true, JsonLogger],
    ['json', false, JsonLogger],
    ['pretty', true, PrettyLogger],
    ['pretty', false, PrettyLogger],
  ])('LOG_FORMAT=%s with stdout a terminal: %s gives a %p', (format, isTTY, expected) => {
    const logger = createLogger('api', 'info', format, { isTTY });
    expect(logger).toBeInstanceOf(expected);
  });

  it('treats a stream that does not say it is a terminal as a pipe', () => {
    expect(createLogger('worker', 'info', 'auto', {})).toBeInstanceOf(JsonLogger);
  });
});
