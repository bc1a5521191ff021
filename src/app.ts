import { passkeyRoutes } from './modules/passkeys/passkeys.routes.js';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { DialectName } from './db/database.js';
import type { DB } from './db/schema.js';
import { accountRequestRoutes } from './modules/account-request/account-request.routes.js';
import { backOfficeRoutes, importRoutes } from './modules/back-office/back-office.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { loginRoutes } from './modules/login/login.routes.js';
import { type AppMetrics, noopMetrics } from './modules/metrics/metrics.js';
import { registerStaffScope, staffGate } from './modules/staff/staff.guard.js';
import { invitationRoutes } from './modules/company/invitation.routes.js';
import { teamAdminRoutes } from './modules/company/team.admin.routes.js';
import { customerPages, publicPages } from './modules/pages/pages.routes.js';
import { passwordResetRoutes } from './modules/password-reset/password-reset.routes.js';
import { privacyRoutes } from './modules/privacy/privacy.routes.js';
import { staffRoutes } from './modules/staff/staff.routes.js';
import { loadOrCreateSecret } from './modules/settings/settings.service.js';
import { ssoAdminRoutes } from './modules/sso/sso.admin.routes.js';
import { ssoPlugin } from './modules/sso/sso.provider.js';
import { csrfProtection } from './plugins/csrf.js';
import { errorPages } from './plugins/errors.js';
import { requestMetrics } from './plugins/request-metrics.js';
import { securityHeaders } from './plugins/security-headers.js';
import { staticFiles } from './plugins/static-files.js';
import type { Clock } from './shared/clock.js';
import { formatDateTime } from './shared/format.js';
import { createDummyHash, type PasswordHasher } from './shared/hasher.js';
import type { SecretBox } from './shared/secret-box.js';

/** The infrastructure every module receives. */
export interface AppDeps {
  config: Config;
  db: Kysely<DB>;
  dialect: DialectName;
  clock: Clock;
  hasher: PasswordHasher;
  /** S40: seals the secrets stored in clear-readable form (staff TOTP secrets, single sign-on private keys). */
  secrets: SecretBox;
  /** Prometheus counters (server.ts, when METRICS_PORT is set); nothing is counted without it. */
  metrics?: AppMetrics;
  /** True once shutdown began: /readyz turns red so load balancers stop sending traffic. */
  isDraining?: () => boolean;
}

export interface RuntimeDeps extends AppDeps {
  /** Key of the CSRF token HMAC, shared by all instances through the database. */
  csrfKey: string;
  /** S7: same-cost hash for attempts that have no real hash to check. */
  dummyHash: string;
  metrics: AppMetrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: RuntimeDeps;
  }
  interface FastifyContextConfig {
    /** A customer route a person may open before choosing a company (the chooser, logout). */
    choosingAllowed?: boolean;
  }
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Pino options: JSON lines, and nothing secret in them (S35). */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.token'], censor: '[redacted]' },
    serializers: {
      // The query string can carry a reset token on its first visit (S14): it never reaches the log.
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.split('?')[0], ip: req.ip }),
    },
  };
}

export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const runtime: RuntimeDeps = {
    ...deps,
    csrfKey: await loadOrCreateSecret(deps.db, 'csrf_key'),
    dummyHash: await createDummyHash(deps.hasher),
    metrics: deps.metrics ?? noopMetrics,
  };

  // Load the time-zone data now rather than inside the first reset request (S15: same timing).
  formatDateTime(0, deps.config.displayTimezone);

  const app = Fastify({
    logger: options.logger ?? false,
    // S9: X-Forwarded-For is believed only when the direct peer is one of these proxies.
    trustProxy: deps.config.trustProxy.length > 0 ? [...deps.config.trustProxy] : false,
    bodyLimit: 64 * 1024,
    // server.ts drains connections before closing; a request that still reaches a route while
    // closing is served (with Connection: close) rather than refused with a bare 503.
    return503OnClosing: false,
    // S27: form fields must arrive as the type their schema says; no coercion of arrays.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: true } },
  });
  app.decorate('deps', runtime);

  // Order matters: request metrics around everything, parsers, then headers and error pages that wrap everything, then the CSRF
  // gate every POST passes, then the routes — public, then customer-only in their own scope.
  await app.register(requestMetrics);
  await app.register(formbody);
  await app.register(securityHeaders, { https: deps.config.publicIsHttps });
  await app.register(errorPages);
  await app.register(csrfProtection);
  await app.register(staticFiles);
  // Probes: JSON, before any page; they touch neither cookies nor sessions.
  await app.register(healthRoutes);
  await app.register(publicPages);
  await app.register(loginRoutes);
  await app.register(passwordResetRoutes);
  await app.register(invitationRoutes);
  await app.register(accountRequestRoutes);
  await app.register(customerPages);
  // The back office: staff login and setup link, then the staff-guarded scopes (S31).
  await app.register(staffRoutes);
  // Passkeys (S48–S50): sign-in with a passkey, the staff second factor and step-up, admin removal.
  await app.register(passkeyRoutes);
  await registerStaffScope(app, backOfficeRoutes);
  await registerStaffScope(app, teamAdminRoutes);
  await registerStaffScope(app, importRoutes, { role: 'admin' });
  // Feature modules of the back office guard their own routes through the shared gate
  // (src/plugins/staff-gate.ts); only this file knows the staff module implements it.
  // S42: exports for every member, erasure for admins.
  await app.register(privacyRoutes, { gate: staffGate });
  // Single sign-on: the registered applications, for admins.
  await app.register(ssoAdminRoutes, { gate: staffGate });
  // ---- Single sign-on (issue 14): the OpenID Connect provider under /oidc, and its interaction
  // route /oidc/interaction/:uid. Its endpoints answer from an onRequest middleware (middie), so
  // neither the CSRF hook nor the security-header hook touches them; it sets its own headers.
  // See src/modules/sso/README.md.
  await app.register(ssoPlugin);
  // ---- end of single sign-on
  return app;
}
