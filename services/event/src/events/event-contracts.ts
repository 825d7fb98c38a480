import { readdirSync, readFileSync } from 'node:fs';
import type { CloudEvent } from '@shoal/kit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under ESM its default export sits on `module.exports.default`.
const addFormats = addFormatsModule.default;

/** Where the contracts live: one JSON Schema of `data` per event type, named `<type>.json`. */
export const CONTRACTS_DIR = new URL('./contracts/', import.meta.url);

/** Webhook events (`integration.<source>.<type>`) share one contract: `integration.json`. */
const INTEGRATION_PREFIX = 'integration.';

/** The contract check's verdict on one event. */
export type ContractVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The event contracts: an event is accepted only when its type has a contract and its `data`
 * validates against it. Unknown types are refused too, so a typo never fans out silently.
 */
export class EventContracts {
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #ajv: Ajv2020;

  constructor(directory: URL = CONTRACTS_DIR) {
    this.#ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(this.#ajv);
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(new URL(file, directory), 'utf8')) as object;
      this.#validators.set(file.slice(0, -'.json'.length), this.#ajv.compile(schema));
    }
  }

  /** The event types with a contract (`integration` stands for every webhook type). */
  get types(): string[] {
    return [...this.#validators.keys()].sort();
  }

  /** Checks an event's envelope and `data` against the contract of its type. */
  check(event: CloudEvent): ContractVerdict {
    if (event.time !== undefined && Number.isNaN(Date.parse(event.time))) {
      return { ok: false, reason: 'time is not an RFC 3339 timestamp' };
    }
    if (event.id.length > 200) return { ok: false, reason: 'id is longer than 200 characters' };
    const contract = event.type.startsWith(INTEGRATION_PREFIX) ? 'integration' : event.type;
    const validate = this.#validators.get(contract);
    if (validate === undefined) {
      return { ok: false, reason: `no contract for event type "${event.type}"` };
    }
    if (!validate(event.data)) {
      return {
        ok: false,
        reason: `data breaks the ${event.type} contract: ${this.#ajv.errorsText(validate.errors, { dataVar: 'data' })}`,
      };
    }
    return { ok: true };
  }
}
