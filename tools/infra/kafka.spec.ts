import { config } from './config';
import { kafkaServerProperties } from './kafka';

describe(kafkaServerProperties.name, () => {
  it('listens on the configured loopback ports, with topics created only on purpose', () => {
    const props = kafkaServerProperties(config({ SMARTSCALE_KAFKA_PORT: '19092', SMARTSCALE_KAFKA_CONTROLLER_PORT: '19093' }), '/data');
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093\n');
    expect(props).toContain('controller.quorum.bootstrap.servers=127.0.0.1:19093\n');
    expect(props).toContain('log.dirs=/data\n');
    expect(props).toContain('auto.create.topics.enable=false\n');
  });
});
