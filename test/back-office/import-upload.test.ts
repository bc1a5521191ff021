import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { seedAccount, STRONG_PASSWORD } from '../helpers/accounts.js';
import { Browser, buildTestApp, csrfToken, DIALECTS, type TestApp } from '../helpers/app.js';
import { resetDatabase } from '../helpers/reset-database.js';
import { createStaffAndSignIn } from '../helpers/staff.js';

const MB = 1024 * 1024;
const BOUNDARY = 'espace-pro-test-boundary';

interface RawResult {
  status: number;
  head: string;
  /** Bytes the server's socket took in (headers included): what the server actually read. */
  serverBytesRead: number;
  declared: number;
}

/**
 * Sends a multipart upload of `size` bytes over a real socket, a 64 KB chunk at a time with
 * backpressure, and stops writing as soon as the server answers or closes.
 */
async function rawUpload(t: TestApp, port: number, options: { size: number; cookie?: string; query?: string }): Promise<RawResult> {
  let serverSocket: net.Socket | undefined;
  const onConnection = (socket: net.Socket) => (serverSocket = socket);
  t.app.server.on('connection', onConnection);
  const preamble = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="fichier"; filename="clients.csv"\r\nContent-Type: text/csv\r\n\r\n`);
  const epilogue = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const declared = preamble.length + options.size + epilogue.length;
  const socket = net.connect(port, '127.0.0.1');
  let response = '';
  let answered = false;
  let closed = false;
  socket.on('data', (d) => {
    response += d.toString('latin1');
    if (response.includes('\r\n\r\n')) answered = true;
  });
  socket.on('error', () => {});
  const done = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const write = (chunk: Buffer) => new Promise<void>((resolve) => (socket.write(chunk) ? resolve() : socket.once('drain', resolve), socket.once('close', resolve)));
  await write(
    Buffer.from(
      `POST /back-office/import${options.query ?? ''} HTTP/1.1\r\nHost: localhost:3000\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${declared}\r\n` +
        (options.cookie ? `Cookie: ${options.cookie}\r\n` : '') +
        '\r\n',
    ),
  );
  await write(preamble);
  const chunk = Buffer.alloc(64 * 1024, '1;a@x.fr;A\n');
  // Slowly, like a real upload on a modest line, so the answer is seen as soon as it comes.
  for (let sent = 0; sent < options.size && !answered && !closed; sent += chunk.length) {
    await write(chunk.subarray(0, Math.min(chunk.length, options.size - sent)));
    await new Promise((r) => setTimeout(r, 2));
  }
  if (!answered && !closed) await write(epilogue);
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  socket.destroy();
  t.app.server.off('connection', onConnection);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0), head: response.split('\r\n\r\n')[0] ?? '', serverBytesRead: serverSocket?.bytesRead ?? -1, declared };
}

/** A multipart body built like a browser builds it. */
async function multipartBody(parts: Array<[string, string | Blob, string?]>) {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename);
  }
  const request = new Request('http://localhost/back-office/import', { method: 'POST', body: form });
  return { contentType: request.headers.get('content-type')!, payload: Buffer.from(await request.arrayBuffer()) };
}

for (const dialect of DIALECTS) {
  describe(`ERP upload: body read only after the staff guard and CSRF [${dialect}]`, () => {
    let t: TestApp;
    let port: number;
    before(async () => {
      t = await buildTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as net.AddressInfo).port;
    });
    after(async () => t.close());
    beforeEach(async () => {
      await resetDatabase(t.db, t.dialect);
    });

    const upload = async (browser: Browser, parts: Array<[string, string | Blob, string?]>, withToken = true) => {
      const page = await browser.get('/back-office/import');
      const action = /<form method="post" action="([^"]+)" enctype="multipart\/form-data"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
      assert.ok(action, 'the import form');
      const { contentType, payload } = await multipartBody(parts);
      return t.app.inject({
        method: 'POST',
        url: withToken ? action : '/back-office/import',
        headers: { cookie: browser.jar.header(), 'content-type': contentType },
        payload,
      });
    };

    test('S31 S23 an anonymous 19 MB upload is refused before its body is read (bytes read by the server measured)', { timeout: 60_000 }, async () => {
      const result = await rawUpload(t, port, { size: 19 * MB });
      assert.equal(result.status, 403, JSON.stringify(result));
      assert.ok(result.serverBytesRead < 2 * MB, `the server read ${result.serverBytesRead} of ${result.declared} bytes`);
    });

    test('S31 an anonymous upload with a valid CSRF token is refused by the staff guard before its body is read', { timeout: 60_000 }, async () => {
      const visitor = new Browser(t.app);
      const token = csrfToken((await visitor.get('/back-office/connexion')).body);
      const result = await rawUpload(t, port, { size: 19 * MB, cookie: visitor.jar.header(), query: `?_csrf=${encodeURIComponent(token)}` });
      assert.equal(result.status, 403, JSON.stringify(result));
      assert.ok(result.serverBytesRead < 2 * MB, `the server read ${result.serverBytesRead} of ${result.declared} bytes`);
      const denied = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'backoffice.access_denied').execute();
      assert.ok(denied.length >= 1, 'the staff guard refused it');
    });

    test('S31 a signed-in customer upload is refused before its body is read', { timeout: 60_000 }, async () => {
      await seedAccount(t);
      const customer = new Browser(t.app);
      await customer.submit('/connexion', '/connexion', { identifiant: '12345', mot_de_passe: STRONG_PASSWORD });
      const token = csrfToken((await customer.get('/espace-pro')).body);
      const result = await rawUpload(t, port, { size: 19 * MB, cookie: customer.jar.header(), query: `?_csrf=${encodeURIComponent(token)}` });
      assert.equal(result.status, 403, JSON.stringify(result));
      assert.ok(result.serverBytesRead < 2 * MB, `the server read ${result.serverBytesRead} of ${result.declared} bytes`);
    });

    test('S23 an admin upload without the CSRF token is refused before its body is read', { timeout: 60_000 }, async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      await admin.get('/back-office/import');
      const result = await rawUpload(t, port, { size: 19 * MB, cookie: admin.jar.header() });
      assert.equal(result.status, 403, JSON.stringify(result));
      assert.ok(result.serverBytesRead < 2 * MB, `the server read ${result.serverBytesRead} of ${result.declared} bytes`);
      const refused = await t.db.selectFrom('audit_log').select('event').where('event', '=', 'csrf.refused').execute();
      assert.ok(refused.length >= 1);
      // The token in the body no longer counts: it would have to be read first.
      const { contentType, payload } = await multipartBody([['_csrf', csrfToken((await admin.get('/back-office/import')).body)], ['fichier', new Blob(['10001;a@x.fr;A\n']), 'c.csv']]);
      const inBody = await t.app.inject({ method: 'POST', url: '/back-office/import', headers: { cookie: admin.jar.header(), 'content-type': contentType }, payload });
      assert.equal(inBody.statusCode, 403);
    });

    test('S30 twelve fields get a French 400, never a 500', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const parts: Array<[string, string | Blob, string?]> = Array.from({ length: 12 }, (_, i) => [`champ${i}`, 'x'] as [string, string]);
      parts.push(['fichier', new Blob(['10001;a@x.fr;A\n']), 'c.csv']);
      const res = await upload(admin, parts);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Le formulaire envoyé contient trop de champs/);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 0);
    });

    test('S30 two files get a French 400', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const res = await upload(admin, [['fichier', new Blob(['10001;a@x.fr;A\n']), 'a.csv'], ['fichier', new Blob(['10002;b@x.fr;B\n']), 'b.csv']]);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Envoyez un seul fichier CSV à la fois/);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 0);
    });

    test('S30 a file over 20 MB gets a French 413 from an admin', { timeout: 60_000 }, async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const res = await upload(admin, [['fichier', new Blob([Buffer.alloc(21 * MB, '1;a@x.fr;A\n')]), 'big.csv']]);
      assert.equal(res.statusCode, 413);
      assert.match(res.body, /Le fichier dépasse 20 Mo/);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 0);
    });

    test('an admin upload through the form still imports', async () => {
      const admin = await createStaffAndSignIn(t, { role: 'admin' });
      const res = await upload(admin, [['activation', '0'], ['fichier', new Blob(['code;email;raison sociale\n10001;a@x.fr;Alpha\n']), 'c.csv']]);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      assert.match(res.body, /1 créé,/);
      assert.deepEqual((await t.db.selectFrom('companies').select('code').execute()).map((r) => r.code), ['10001']);
    });

    test('S31 an agent (not admin) with a valid token is refused', async () => {
      const agent = await createStaffAndSignIn(t, { role: 'agent' });
      const token = csrfToken((await agent.get('/back-office')).body);
      const { contentType, payload } = await multipartBody([['fichier', new Blob(['10001;a@x.fr;A\n']), 'c.csv']]);
      const res = await t.app.inject({ method: 'POST', url: `/back-office/import?_csrf=${encodeURIComponent(token)}`, headers: { cookie: agent.jar.header(), 'content-type': contentType }, payload });
      assert.equal(res.statusCode, 403);
      assert.equal((await t.db.selectFrom('accounts').select('id').execute()).length, 0);
    });
  });
}
