/**
 * Branding from configuration: BRAND_COLOR (AA with white text) served as /static/brand.css,
 * BRAND_LOGO_URL (https URL, allowed by the CSP, or a file under DATA_DIR served as
 * /static/logo.<ext>), SUPPORT_EMAIL and SUPPORT_PHONE in the footer of every page.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, contrastWithWhite, loadConfig } from '../../src/config.js';
import { buildTestApp } from '../helpers/app.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

describe('branding configuration', () => {
  test('BRAND_COLOR defaults to the stylesheet colour and must be #rrggbb with AA contrast against white text', () => {
    assert.equal(loadConfig({}).brandColor, '#0b5394');
    assert.equal(loadConfig({ BRAND_COLOR: '#1A5E20' }).brandColor, '#1a5e20');
    assert.ok(contrastWithWhite('#0b5394') >= 4.5);
    assert.ok(Math.abs(contrastWithWhite('#000000') - 21) < 0.01);
    for (const wrong of ['blue', '#fff', '0b5394', '#0b53944']) {
      const p = problems({ BRAND_COLOR: wrong });
      assert.equal(p.length, 1, wrong);
      assert.match(p[0]!, /^BRAND_COLOR: expected a colour such as #0b5394/);
    }
    const light = problems({ BRAND_COLOR: '#ffcc00' });
    assert.equal(light.length, 1);
    assert.match(light[0]!, /^BRAND_COLOR: expected a colour dark enough for white text \(contrast 1\.\d\d:1, at least 4\.5:1 needed\)/);
  });

  test('BRAND_LOGO_URL: an https URL, or an existing image under DATA_DIR; anything else is one clear line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brand-'));
    fs.writeFileSync(path.join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    assert.deepEqual(loadConfig({ DATA_DIR: dir, BRAND_LOGO_URL: 'logo.svg' }).brandLogo, { kind: 'file', file: path.join(dir, 'logo.svg'), ext: 'svg' });
    assert.deepEqual(loadConfig({ BRAND_LOGO_URL: 'https://cdn.example.com/logo.png' }).brandLogo, { kind: 'url', url: 'https://cdn.example.com/logo.png' });
    assert.equal(loadConfig({}).brandLogo, null);
    for (const wrong of ['http://cdn.example.com/logo.png', 'missing.png', '../outside.png', 'logo.exe']) {
      const p = problems({ DATA_DIR: dir, BRAND_LOGO_URL: wrong });
      assert.equal(p.length, 1, wrong);
      assert.match(p[0]!, /^BRAND_LOGO_URL: expected an https:\/\/ URL/, wrong);
    }
  });

  test('SUPPORT_EMAIL and SUPPORT_PHONE are optional, and checked', () => {
    assert.equal(loadConfig({}).supportEmail, null);
    assert.equal(loadConfig({}).supportPhone, null);
    assert.match(problems({ SUPPORT_EMAIL: 'pas une adresse' })[0]!, /^SUPPORT_EMAIL: expected one e-mail address/);
    assert.match(problems({ SUPPORT_PHONE: 'appelez-nous' })[0]!, /^SUPPORT_PHONE: expected a phone number/);
    assert.equal(problems({ SUPPORT_EMAIL: 'a@b.fr', SUPPORT_PHONE: '+33 1 23 45 67 89' }).length, 0);
  });
});

describe('branding on the pages', () => {
  test('the footer of every page shows the contact; /static/brand.css carries the colour; no inline style in the CSP', async () => {
    const t = await buildTestApp('sqlite', { env: { BRAND_COLOR: '#1a5e20', SUPPORT_EMAIL: 'service-client@cartotheque.com', SUPPORT_PHONE: '01 23 45 67 89' } });
    try {
      for (const url of ['/', '/connexion', '/mot-de-passe-oublie', '/cette-page-n-existe-pas']) {
        const page = await t.app.inject({ url });
        assert.match(page.body, /<footer[\s\S]*<a href="mailto:service-client@cartotheque.com">service-client@cartotheque.com<\/a>[\s\S]*<a href="tel:0123456789">01 23 45 67 89<\/a>[\s\S]*<\/footer>/, url);
        assert.match(page.body, /<link rel="stylesheet" href="\/static\/brand.css"/, url);
        assert.doesNotMatch(page.body, /style=/, url);
        assert.doesNotMatch(page.headers['content-security-policy'] as string, /unsafe-inline/);
      }
      const css = await t.app.inject({ url: '/static/brand.css' });
      assert.equal(css.statusCode, 200);
      assert.match(css.headers['content-type'] as string, /^text\/css/);
      assert.match(css.body, /^:root\{--brand:#1a5e20;--brand-dark:#[0-9a-f]{6};--brand-tint:#[0-9a-f]{6}\}/);
    } finally {
      await t.close();
    }
  });

  test('without a contact the footer keeps its generic line; an external logo is allowed by img-src and shown', async () => {
    const t = await buildTestApp('sqlite', { env: { BRAND_LOGO_URL: 'https://cdn.example.com/logo.png' } });
    try {
      const page = await t.app.inject({ url: '/connexion' });
      assert.doesNotMatch(page.body, /mailto:/);
      assert.match(page.body, /<img class="brand-logo" src="https:\/\/cdn.example.com\/logo.png" alt=""/);
      const csp = page.headers['content-security-policy'] as string;
      assert.match(csp, /img-src 'self' data: https:\/\/cdn\.example\.com;/);
      assert.doesNotMatch(csp, /unsafe-inline/);
    } finally {
      await t.close();
    }
  });

  test('a logo file under DATA_DIR is served at /static/logo.<ext>', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brand-'));
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>';
    fs.writeFileSync(path.join(dir, 'logo.svg'), svg);
    const t = await buildTestApp('sqlite', { env: { DATA_DIR: dir, BRAND_LOGO_URL: 'logo.svg' } });
    try {
      assert.match((await t.app.inject({ url: '/' })).body, /<img class="brand-logo" src="\/static\/logo.svg" alt=""/);
      const logo = await t.app.inject({ url: '/static/logo.svg' });
      assert.equal(logo.statusCode, 200);
      assert.equal(logo.headers['content-type'], 'image/svg+xml');
      assert.equal(logo.body, svg);
    } finally {
      await t.close();
    }
  });
});
