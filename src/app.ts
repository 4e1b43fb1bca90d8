import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { docsPage } from './http/docs-page.js';
import { errorCodeTable } from './http/error-codes-doc.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Context } from './context.js';
import { randomBytes } from 'node:crypto';
import { registerCors } from './http/cors.js';
import { trustProxyFn } from './http/client-address.js';
import { runtimeLaneServer } from './http/devpayr/runtime-lane.js';
import { devkitFace } from './http/devkit/index.js';
import { devpayrFace } from './http/devpayr/index.js';
import { consoleFace } from './http/console/index.js';
import { installPipeline, sendError } from './http/pipeline.js';
import { rootRoutes } from './http/root.js';
import { BodyParseError, registerJsonParser, serializerCompiler, validatorCompiler } from './http/validation.js';
import type { App } from './http/typed.js';

function requestIds(): () => string {
  const prefix = randomBytes(6).toString('base64url');
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}

/** The whole HTTP service, both faces and the docs; it does not listen (main.ts does). */
export async function buildApp(ctx: Context): Promise<App> {
  const nextId = requestIds();
  const requestLogging = ctx.config.logLevel === 'debug' || ctx.config.logLevel === 'trace';
  const trust = trustProxyFn(ctx.config.trustProxy);
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Slow and idle clients: headers must arrive within headersTimeout of connecting (or of the
    // previous response), the whole request within requestTimeout; an idle keep-alive socket
    // closes after keepAliveTimeout. Node checks the first two on connectionsCheckingInterval
    // (30 s by default, which would stretch a 10 s limit to 40 s).
    http: {
      headersTimeout: ctx.config.http.headersTimeoutMs,
      requestTimeout: ctx.config.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, ctx.config.http.headersTimeoutMs / 2),
    },
    requestTimeout: ctx.config.http.requestTimeoutMs,
    keepAliveTimeout: ctx.config.http.keepAliveTimeoutMs,
    // A per-process random prefix plus a counter: unique, and no randomness drawn per request.
    genReqId: nextId,
    requestIdHeader: false,
    // Per-request log lines only at debug level: the hot path should not pay for them.
    logController: new LogController({ disableRequestLogging: !requestLogging }),
    // The runtime check's fast lane sits in front of the router (http/devpayr/runtime-lane.ts);
    // with request logging on, every request takes the router so that each is logged.
    serverFactory: runtimeLaneServer(ctx, nextId, !requestLogging, trust),
    routerOptions: { maxParamLength: 200 },
    // TRUST_PROXY: request.ip and request.protocol come from X-Forwarded-* only when the operator says a proxy is in front.
    trustProxy: trust ?? false,
    // Errors the router raises before any route (an over-long path segment, a malformed URL): the face's format too.
    frameworkErrors: sendError,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerJsonParser(app);
  // Set on arrival (a callback hook, no promise): every answer carries it, errors included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // A NUL in a path or query value: refused here, before it can reach a text column.
    done(
      request.url.includes('%00')
        ? new BodyParseError('nul', 'The URL contains a NUL character (%00), which is not allowed.')
        : undefined,
    );
  });

  await registerCors(app, ctx.config);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tollgate',
        version: ctx.config.version,
        description: `One service, two wire protocols: the Dev Kit for AI Cloud API (tags "devkit: …") and the DevPayr API (tags "devpayr: …").\n\n${errorCodeTable()}`,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          developerKey: { type: 'apiKey', in: 'header', name: 'X-Developer-Key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY' },
          licenseKey: { type: 'apiKey', in: 'header', name: 'X-LICENSE-KEY' },
          operatorKey: { type: 'apiKey', in: 'header', name: 'X-Operator-Key' },
          projectId: { type: 'apiKey', in: 'header', name: 'X-Project-ID' },
          projectApiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description: 'A project API key (devkit end-user routes)',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, docsPage);
  await installPipeline(app, ctx);

  await app.register(devkitFace, { ctx });
  await app.register(devpayrFace, { ctx });
  await app.register(consoleFace, { ctx });

  rootRoutes(app, ctx);

  return app;
}
