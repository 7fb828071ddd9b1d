import { config } from './config';
import { temporalArgs } from './temporal';

describe(temporalArgs.name, () => {
  it('starts the dev server on the configured ports with every search attribute', () => {
    const args = temporalArgs(config({ SMARTSCALE_TEMPORAL_PORT: '17233', SMARTSCALE_TEMPORAL_UI_PORT: '18233' }), [
      ['SmartScaleTarget', 'Keyword'],
    ]);
    expect(args.slice(0, 8)).toEqual(['server', 'start-dev', '--ip', '127.0.0.1', '--port', '17233', '--ui-port', '18233']);
    expect(args.slice(-2)).toEqual(['--search-attribute', 'SmartScaleTarget=Keyword']);
  });
});
