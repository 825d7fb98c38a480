// Checks HTTP responses against a service's openapi.yaml, and a fetch client that applies the
// check to every response a component test sees. Shared by the services' tests.
import { AssertionError } from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

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
  components?: { responses?: Record<string, ResponseObject> };
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

/**
 * Checks responses against an OpenAPI 3.1 document with ajv's JSON Schema 2020-12 build: the
 * operation is found by method and path template (literal segments win over `{params}`), the
 * status must be documented (or `default`), the content type must be one it lists, and the
 * body must validate against that media type's schema.
 */
export class ApiContract {
  readonly #document: OpenApiDocument;
  readonly #documentId: string;
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; pattern: RegExp; params: number }[];

  /** Reads the YAML (or JSON) document at `file`, e.g. `new URL('../openapi.yaml', import.meta.url)`. */
  static fromFile(file: URL | string): ApiContract {
    return new ApiContract(parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
  }

  constructor(document: Record<string, unknown>) {
    this.#document = document as unknown as OpenApiDocument;
    if (typeof this.#document.paths !== 'object' || this.#document.paths === null) {
      throw new TypeError('ApiContract: the document has no paths');
    }
    this.#documentId = `https://shoal.dev/contracts/${Math.random().toString(36).slice(2)}.json`;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ ...document, $id: this.#documentId });
    this.#templates = Object.keys(this.#document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // `/dead-letters` must match its own template before `/{id}` does.
      .sort((a, b) => a.params - b.params);
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
    const content = this.#resolve(documented).content;
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
    const target = this.#document.components?.responses?.[name];
    if (target === undefined) throw new Error(`openapi.yaml: dangling ${response.$ref}`);
    return target;
  }

  #validator(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      // Local refs (#/components/...) are made absolute so they resolve inside the document.
      const absolute = JSON.parse(key.replaceAll('"#/', `"${this.#documentId}#/`)) as Record<
        string,
        unknown
      >;
      validate = this.#ajv.compile(absolute);
      this.#validators.set(key, validate);
    }
    return validate;
  }
}

/** What a test gets back: status, headers and the parsed body. */
export interface ApiResponse<Body = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the response is JSON, else the text. */
  readonly body: Body;
  readonly text: string;
}

export interface ApiRequestOptions {
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is (set the content type yourself). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** Shorthand for `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Skip the contract check (for paths that are not the service's API, e.g. /metrics). */
  readonly unchecked?: boolean;
}

/** A fetch-based client for a service under test that checks EVERY response against its contract. */
export class ContractCheckedClient {
  readonly baseUrl: string;
  readonly #contract: ApiContract;

  constructor(baseUrl: string, contract: ApiContract) {
    this.baseUrl = baseUrl;
    this.#contract = contract;
  }

  /** Sends one request; throws an AssertionError when the response breaks the contract. */
  async request<Body = Record<string, unknown>>(
    method: string,
    path: string,
    options: ApiRequestOptions = {},
  ): Promise<ApiResponse<Body>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined = options.rawBody;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const parsed: unknown = /json/.test(contentType ?? '') && text !== '' ? JSON.parse(text) : text;
    if (options.unchecked !== true) {
      this.#contract.check({
        method,
        path: path.split('?')[0] ?? path,
        status: response.status,
        contentType,
        body: parsed,
        rawBody: text,
      });
    }
    return { status: response.status, headers: response.headers, body: parsed as Body, text };
  }

  get<Body = Record<string, unknown>>(path: string, options?: ApiRequestOptions) {
    return this.request<Body>('GET', path, options);
  }

  delete<Body = Record<string, unknown>>(path: string, options?: ApiRequestOptions) {
    return this.request<Body>('DELETE', path, options);
  }

  post<Body = Record<string, unknown>>(
    path: string,
    json?: unknown,
    options: ApiRequestOptions = {},
  ) {
    return this.request<Body>('POST', path, json === undefined ? options : { ...options, json });
  }

  patch<Body = Record<string, unknown>>(
    path: string,
    json?: unknown,
    options: ApiRequestOptions = {},
  ) {
    return this.request<Body>('PATCH', path, json === undefined ? options : { ...options, json });
  }

  put<Body = Record<string, unknown>>(
    path: string,
    json?: unknown,
    options: ApiRequestOptions = {},
  ) {
    return this.request<Body>('PUT', path, json === undefined ? options : { ...options, json });
  }
}
