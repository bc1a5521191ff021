import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { createMetrics, type Metrics } from '../../src/modules/metrics/metrics.js';
import { csrfToken } from '../helpers/app.js';
import { finishAuthorization, signInThroughShop, type SsoSetup, startSso, WebBrowser } from './support.js';

describe('SSO metrics', () => {
  let s: SsoSetup;
  let metrics: Metrics;
  before(async () => {
    s = await startSso('sqlite', {
      deps: {
        metrics: {
          observeRequest: (...args) => metrics.app.observeRequest(...args),
          countLogin: (outcome) => metrics.app.countLogin(outcome),
          countSso: (event, clientId) => metrics.app.countSso!(event, clientId),
        },
      },
    });
    metrics = createMetrics({ db: s.t.db, clock: s.t.clock, hasher: s.t.hasher });
  });
  after(async () => s.close());

  const value = (text: string, event: string) => Number(new RegExp(`espace_pro_sso_events_total\\{event="${event}",client_id="${s.clientId}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

  test('SSO metrics count sign-ins (codes issued), token responses and revocations per application', async () => {
    const browser = new WebBrowser();
    const { callbackUrl, pending } = await signInThroughShop(s, browser);
    const tokens = await finishAuthorization(s, callbackUrl, pending);
    await oidc.refreshTokenGrant(s.config, tokens.refresh_token!);
    let text = await metrics.render();
    assert.equal(value(text, 'sign_in'), 1);
    assert.equal(value(text, 'token'), 2);
    assert.equal(value(text, 'revocation'), 0);
    const page = await browser.request(`${s.origin}/espace-pro`);
    await browser.request(`${s.origin}/deconnexion`, { form: { _csrf: csrfToken(await page.text()) } });
    text = await metrics.render();
    assert.equal(value(text, 'revocation'), 1);
  });
});
