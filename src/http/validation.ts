import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import secureJson from 'secure-json-parse';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // Bodies are checked as sent: a number where a string belongs is an error, not "123".
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  addFormats(ajv);
  ajv.addKeyword('modifier').addKeyword('kind');
  return ajv;
}

const bodyAjv = makeAjv(false);
const paramAjv = makeAjv(true);

/** Bodies without coercion; path, query and headers (always text) with it. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;

/**
 * Response serializers: fast-json-stringify with its defaults, as Fastify compiles them, but
 * once per schema in a process and shared by every app built in it (the way the Ajv validators
 * above are). Tests and the bench build many apps per process, and compiling every route's
 * response schema again cost each app seconds of CPU. Keyed by the schema's JSON, since routes
 * declare some schemas inline (a new object per app) and the compiler reads nothing else of it.
 */
const serializers = new Map<string, (data: unknown) => string>();
export const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) => {
  const key = JSON.stringify(schema);
  let serialize = serializers.get(key);
  if (!serialize) {
    serialize = fastJsonStringify(schema as object);
    serializers.set(key, serialize);
  }
  return serialize;
};

export class BodyParseError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly reason: 'json' | 'utf8' | 'nul' | 'multipart',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where a parsed JSON value holds a NUL character (in a key or a string), as a dotted path,
 * or null. PostgreSQL cannot store NUL in text, and no field of ours means to hold one.
 */
export function findNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || 'body' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return [...path, k].join('.');
    const found = findNul(v, [...path, k]);
    if (found) return found;
  }
  return null;
}

export const nulError = (where: string) =>
  new BodyParseError('nul', `The ${where} field contains a NUL character, which is not allowed.`);

/**
 * JSON bodies: strict UTF-8 (invalid bytes are an error, not U+FFFD), prototype-poisoning
 * keys rejected, an empty body read as absent (a body-less POST of the devpayr clients).
 */
export function registerJsonParser(app: FastifyInstance): void {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return done(new BodyParseError('utf8', 'The request body is not valid UTF-8.'), undefined);
    }
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      return done(new BodyParseError('json', `Malformed JSON body: ${(err as Error).message}`), undefined);
    }
    // A NUL can only arrive escaped (raw control characters are not JSON): look only then.
    const nulAt = text.includes('\\u0000') ? findNul(value) : null;
    if (nulAt) return done(nulError(nulAt), undefined);
    done(null, value);
  });
}

/**
 * A body that did not come through Fastify's validation (multipart form fields), checked against
 * the route's own schema: failures are thrown as Fastify's own, so each face words them as usual.
 */
export function bodyValidator(schema: object): (value: unknown) => void {
  const check = bodyAjv.compile(schema);
  return (value) => {
    if (check(value)) return;
    throw Object.assign(new Error('body validation failed'), {
      validation: check.errors ?? [],
      validationContext: 'body',
      statusCode: 400,
    });
  };
}

/** A validation failure reduced to what both faces need: where, what, and a kind. */
export interface Violation {
  /** e.g. ['body', 'name'] */
  loc: Array<string | number>;
  field: string;
  msg: string;
  type: string;
}

export function violations(errors: ErrorObject[], part: string): Violation[] {
  return errors
    .filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf')
    .map((e) => {
      const path = e.instancePath
        .split('/')
        .slice(1)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
      const p = e.params as Record<string, unknown>;
      if (e.keyword === 'required') path.push(String(p.missingProperty));
      if (e.keyword === 'additionalProperties') path.push(String(p.additionalProperty));
      const [msg, type] = describe(e);
      return { loc: [part, ...path], field: path.join('.') || part, msg, type };
    });
}

function describe(e: ErrorObject): [string, string] {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return ['field required', 'value_error.missing'];
    case 'additionalProperties':
      return ['extra fields not permitted', 'value_error.extra'];
    case 'minLength':
      return [`ensure this value has at least ${p.limit} characters`, 'value_error.any_str.min_length'];
    case 'maxLength':
      return [`ensure this value has at most ${p.limit} characters`, 'value_error.any_str.max_length'];
    case 'minimum':
      return [`ensure this value is greater than or equal to ${p.limit}`, 'value_error.number.not_ge'];
    case 'maximum':
      return [`ensure this value is less than or equal to ${p.limit}`, 'value_error.number.not_le'];
    case 'type':
      return [`value is not a valid ${p.type === 'string' ? 'string' : p.type}`, `type_error.${p.type}`];
    case 'format':
      if (p.format === 'email') return ['value is not a valid email address', 'value_error.email'];
      if (p.format === 'uuid') return ['value is not a valid uuid', 'type_error.uuid'];
      return [`value is not a valid ${p.format}`, `value_error.${p.format}`];
    case 'enum':
      return [
        `value is not a valid enumeration member; permitted: ${(p.allowedValues as unknown[]).map((v) => `'${v}'`).join(', ')}`,
        'type_error.enum',
      ];
    case 'pattern':
      return ['string does not match the expected pattern', 'value_error.str.regex'];
    default:
      return [e.message ?? 'invalid value', `value_error.${e.keyword}`];
  }
}
