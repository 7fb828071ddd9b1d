import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { EVENT_LIMITS, TelemetryEvent, TelemetryEventSchema } from '@smartscale/contracts';

/**
 * The fast path of event validation. The zod schema in libs/contracts stays the one definition of a
 * valid event and the one source of error messages; this compiles that same schema, through
 * `z.toJSONSchema`, into an Ajv validator, which answers "valid" in a fraction of zod's time and
 * allocates nothing. An item Ajv accepts is normalised here; anything else goes through zod, which
 * either accepts it after all or reports exactly what is wrong. So the fast path can only ever be
 * stricter than zod, never looser: event-acceptor.spec.ts checks that, case by case and on random
 * events, and that both paths store the same event.
 *
 * Two rules of the zod schema are refinements, which JSON Schema output cannot carry; they are added
 * here in JSON Schema's own terms (maxProperties, if/then).
 */
export function compileEventAcceptor(): (item: unknown, missingId?: () => string) => TelemetryEvent | undefined {
  const schema = z.toJSONSchema(TelemetryEventSchema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>;
  };
  delete schema.$schema;
  schema.properties.attributes.maxProperties = EVENT_LIMITS.maxAttributes;
  schema.allOf = [{ if: { properties: { type: { const: 'metric' } } }, then: { required: ['name', 'value'] } }];
  // Ajv counts string lengths in code points, as zod 4's .min()/.max() do; formats are not checked by
  // Ajv (the generated schema carries zod's own date-time pattern).
  const ajv = new Ajv2020({ allErrors: false, validateFormats: false, strict: false });
  const valid = ajv.compile(schema);
  return (item, missingId = randomUUID) => {
    if (!valid(item)) return undefined;
    // Ajv accepted exactly the shape zod accepts, with no unknown keys: normalise in place (the item is
    // this request's freshly parsed JSON) as zod's transform would, with no copy.
    const event = item as Record<string, unknown>;
    if (typeof event.time === 'string') event.time = Date.parse(event.time);
    event.id ??= missingId();
    event.v = 1;
    return event as unknown as TelemetryEvent;
  };
}
