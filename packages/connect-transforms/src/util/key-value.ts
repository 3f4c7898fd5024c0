import type { PluginDescriptor, Transformation } from '@tributary/connect-api';
import type { Operand } from './operand.js';

export const KAFKA_TRANSFORMS = 'org.apache.kafka.connect.transforms.';

/** The `$Key` and `$Value` descriptors of one Kafka transform, under its class names and short aliases. */
export function keyValuePlugins(name: string, create: (operand: Operand) => Transformation): PluginDescriptor[] {
  return (['Key', 'Value'] as const).map((half) => ({
    type: 'transformation' as const,
    class: `${KAFKA_TRANSFORMS}${name}$${half}`,
    aliases: [`${name}$${half}`],
    create: () => create(half === 'Key' ? 'key' : 'value'),
  }));
}
