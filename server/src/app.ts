import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import helmet, { type HelmetOptions } from 'helmet';
import type { Database } from './db/database.js';
import { alarmsModule } from './modules/alarms/routes.js';
import { auditModule } from './modules/audit/routes.js';
import { authModule } from './modules/auth/routes.js';
import { commandModule } from './modules/command/routes.js';
import { devicesModule } from './modules/devices/routes.js';
import { dutyModule } from './modules/duty/routes.js';
import { filesModule } from './modules/files/routes.js';
import { formsModule } from './modules/forms/routes.js';
import { guardsModule } from './modules/guards/routes.js';
import { hazardsModule } from './modules/hazards/routes.js';
import { healthModule } from './modules/health/routes.js';
import { ingestModule } from './modules/ingest/routes.js';
import { inspectionsModule } from './modules/inspections/routes.js';
import { noticesModule } from './modules/notices/routes.js';
import { notificationsModule } from './modules/notifications/routes.js';
import { orgsModule } from './modules/orgs/routes.js';
import { placesModule } from './modules/places/routes.js';
import { streamModule } from './modules/stream/routes.js';
import { usersModule } from './modules/users/routes.js';
import { registerAccessControl } from './platform/access.js';
import { AuditChainer } from './platform/audit.js';
import type { Config } from './platform/config.js';
import type { Platform } from './platform/context.js';
import { FieldCipher, loadFieldKey } from './platform/crypto.js';
import { frameworkErrorHandler, registerErrorHandling, sendProblem } from './platform/errors.js';
import { FileStore } from './platform/files.js';
import { Sweeper } from './platform/jobs.js';
import { RealtimeHub } from './platform/realtime.js';

/** Every feature module, registered under /api/v1. A new module adds one line here. */
const MODULES = [
  healthModule,
  authModule,
  orgsModule,
  placesModule,
  usersModule,
  guardsModule,
  auditModule,
  filesModule,
  hazardsModule,
  inspectionsModule,
  devicesModule,
  ingestModule,
  alarmsModule,
  commandModule,
  dutyModule,
  formsModule,
  noticesModule,
  notificationsModule,
  streamModule,
];

export interface BuildOptions {
  config: Config;
  database: Database;
  /** Silence request logs (tests). */
  quiet?: boolean;
}

export async function buildApp({ config, database, quiet }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: quiet ? false : { level: config.logLevel },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Ids in URLs are short; a 1 MB path is an attack.
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const platform: Platform = {
    config,
    database,
    db: database.db,
    cipher: new FieldCipher(loadFieldKey(config.secretKey, config.dataDir)),
    realtime: new RealtimeHub(database),
    sweeper: new Sweeper(database.db, config.sweepIntervalMs, app.log),
    auditChainer: new AuditChainer(database.db, app.log),
    files: new FileStore(config.dataDir, config.fileMaxBytes),
  };
  app.decorate('platform', platform);

  registerErrorHandling(app);
  await app.register(cookie);
  // The security headers are the same for every response: computed once (@fastify/helmet rebuilt them, CSP
  // included, on every request).
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders);
  });
  await app.register(rateLimit, {
    global: config.apiRateLimit > 0,
    max: config.apiRateLimit || 1000,
    timeWindow: '1 minute',
    allowList: (request) => request.url.startsWith('/api/v1/stream'),
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, limit: context.max }),
  });
  await app.register(multipart, { limits: { fileSize: config.fileMaxBytes, files: 1, fields: 10, parts: 12 } });

  const routeAccess = new Map<string, string>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (route.config?.access)
        routeAccess.set(`${method.toLowerCase()} ${toOpenApiPath(route.url)}`, route.config.access);
    }
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: '平安校园 Safe Campus API', version: '1' },
    },
    transform: jsonSchemaTransform,
    // Each operation carries the permission it needs, for integrators and the authorization matrix.
    transformObject: (documentObject) => {
      const openapiObject =
        'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      const paths = (openapiObject as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths ?? {};
      for (const [url, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          operation['x-permission'] = routeAccess.get(`${method} ${url}`) ?? null;
        }
      }
      return openapiObject;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  registerAccessControl(app);
  // API answers hold records about people and places: no browser or proxy may keep them (residual information).
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/v1/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });
  for (const module of MODULES) await app.register(module, { prefix: '/api/v1' });

  await registerWebApp(app, config);

  app.addHook('onReady', async () => {
    await platform.realtime.start();
    platform.auditChainer.start();
  });
  app.addHook('onClose', async () => {
    await platform.sweeper.stop();
    await platform.auditChainer.stop();
    await platform.realtime.stop();
  });
  return app;
}

function toOpenApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

/**
 * The one not-found handler: API paths and non-GET requests get problem+json; with a built web
 * app every other path gets its index.html, so client-side routes survive a reload.
 */
async function registerWebApp(app: FastifyInstance, config: Config): Promise<void> {
  const hasWebApp = fs.existsSync(`${config.webDist}/index.html`);
  if (hasWebApp) {
    await app.register(fastifyStatic, {
      root: config.webDist,
      wildcard: false,
      setHeaders: (response, filePath) => {
        if (filePath.includes('/assets/')) response.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    // A missing asset is a 404, not the index page (a browser would try to run HTML as a script).
    const notPage = request.url.startsWith('/api/') || request.url.startsWith('/assets/') || request.method !== 'GET';
    if (!hasWebApp || notPage) {
      return sendProblem(request, reply, 404, 'route_not_found');
    }
    return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
  });
}

/** The headers helmet sets on a response, read once from a stand-in response. */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}
