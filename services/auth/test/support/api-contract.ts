import { AssertionError } from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadOpenApiDocument } from '../../src/routes/openapi-route.ts';

// ajv-formats is CommonJS: under ESM its default export sits on `module.exports.default`.
const addFormats = addFormatsModule.default;

interface MediaType {
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  $ref?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
type PathItem = Record<string, Operation>;
interface OpenApiDocument {
  paths: Record<string, PathItem>;
  components: { responses?: Record<string, ResponseObject> };
}

/** A response as the test client saw it. */
export interface ObservedResponse {
  readonly method: string;
  /** The request path without the query string. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
  readonly rawBody: string;
}

const DOCUMENT_ID = 'https://shoal.dev/auth/openapi.json';

/**
 * Checks responses against services/auth/openapi.yaml with ajv's JSON Schema 2020-12 build
 * (OpenAPI 3.1's dialect): the operation is found by method and path template, then the
 * status must be documented, the content type must be one it lists, and the body must
 * validate against that media type's schema.
 */
export class ApiContract {
  readonly #document: OpenApiDocument;
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; pattern: RegExp }[];

  constructor() {
    const document = loadOpenApiDocument();
    this.#document = document as unknown as OpenApiDocument;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    this.#templates = Object.keys(this.#document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** The path template documenting this concrete path, if any. */
  templateFor(path: string): string | undefined {
    return this.#templates.find(({ pattern }) => pattern.test(path))?.template;
  }

  /** Throws an AssertionError explaining how the response breaks the contract. */
  check(response: ObservedResponse): void {
    const where = `${response.method} ${response.path} -> ${response.status}`;
    const template = this.templateFor(response.path);
    if (template === undefined)
      throw new AssertionError({ message: `${where}: path not in openapi.yaml` });
    const operation = this.#document.paths[template]?.[response.method.toLowerCase()];
    if (operation === undefined) {
      throw new AssertionError({ message: `${where}: method not in openapi.yaml` });
    }
    const documented =
      operation.responses[String(response.status)] ?? operation.responses['default'];
    if (documented === undefined) {
      throw new AssertionError({ message: `${where}: status not documented` });
    }
    const resolved = this.#resolve(documented);
    const content = resolved.content;
    if (content === undefined) {
      if (response.rawBody !== '') {
        throw new AssertionError({ message: `${where}: documented without a body, got one` });
      }
      return;
    }
    const mediaType = (response.contentType ?? '').split(';')[0]?.trim() ?? '';
    const media = content[mediaType];
    if (media === undefined) {
      throw new AssertionError({
        message: `${where}: content type "${mediaType}" not documented (${Object.keys(content).join(', ')})`,
      });
    }
    if (media.schema === undefined) return;
    const validate = this.#validator(media.schema);
    if (!validate(response.body)) {
      throw new AssertionError({
        message: `${where}: body does not match openapi.yaml: ${this.#ajv.errorsText(validate.errors)}\n${response.rawBody.slice(0, 500)}`,
      });
    }
  }

  #resolve(response: ResponseObject): ResponseObject {
    if (response.$ref === undefined) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    const target = this.#document.components.responses?.[name];
    if (target === undefined) throw new Error(`openapi.yaml: dangling ${response.$ref}`);
    return target;
  }

  #validator(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      // Local refs (#/components/...) are made absolute so they resolve inside the document.
      const absolute = JSON.parse(key.replaceAll('"#/', `"${DOCUMENT_ID}#/`)) as Record<
        string,
        unknown
      >;
      validate = this.#ajv.compile(absolute);
      this.#validators.set(key, validate);
    }
    return validate;
  }
}
