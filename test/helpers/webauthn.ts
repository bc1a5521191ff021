import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type { Browser } from './app.js';

/**
 * A software authenticator for the server-side tests: a P-256 key, attestation "none", CBOR from
 * @simplewebauthn/server's own helpers, signatures from node:crypto. Every part of what it sends
 * can be bent (origin, RP ID hash, flags, counter, challenge, user handle, key) so each S48 guard
 * meets the one answer it must refuse.
 */
export interface Tweak {
  /** clientDataJSON.origin (default: the RP's). */
  origin?: string;
  /** The RP ID whose SHA-256 starts authenticatorData (default: the options' rpId). */
  rpId?: string;
  /** User verification flag (default true). */
  uv?: boolean;
  /** User presence flag (default true). */
  up?: boolean;
  /** The counter this assertion reports (default: the next one). */
  counter?: number;
  /** The challenge signed (default: the options'). */
  challenge?: string;
  /** The user handle returned (default: the one the credential was made with). */
  userHandle?: string | null;
  /** clientDataJSON.type (default webauthn.get / webauthn.create). */
  type?: string;
  /** Sign with another key (a forged signature). */
  signWith?: KeyObject;
  /** Claim another credential id. */
  credentialId?: string;
}

const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

export class SoftAuthenticator {
  readonly credentialId = isoBase64URL.fromBuffer(randomBytes(32));
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  counter = 0;
  userHandle: string | null = null;
  /** The backup-eligible and backed-up flags (a synced passkey). */
  synced = true;

  constructor(readonly origin = 'http://localhost:3000') {}

  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, isoBase64URL.toBuffer(jwk.x)],
        [-3, isoBase64URL.toBuffer(jwk.y)],
      ]),
    );
  }

  private flags(tweak: Tweak, attested: boolean): number {
    let flags = 0;
    if (tweak.up ?? true) flags |= 0x01;
    if (tweak.uv ?? true) flags |= 0x04;
    if (this.synced) flags |= 0x08 | 0x10;
    if (attested) flags |= 0x40;
    return flags;
  }

  /** navigator.credentials.create(), answered as @simplewebauthn/browser would post it. */
  register(options: { challenge: string; rp: { id?: string }; user: { id: string } }, tweak: Tweak = {}) {
    this.userHandle = options.user.id;
    const rpId = tweak.rpId ?? options.rp.id ?? 'localhost';
    const clientDataJSON = Buffer.from(JSON.stringify({ type: tweak.type ?? 'webauthn.create', challenge: tweak.challenge ?? options.challenge, origin: tweak.origin ?? this.origin, crossOrigin: false }));
    const credId = isoBase64URL.toBuffer(tweak.credentialId ?? this.credentialId);
    const counter = Buffer.alloc(4);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credId.length);
    const authData = Buffer.concat([sha(rpId), Buffer.from([this.flags(tweak, true)]), counter, Buffer.alloc(16), idLength, Buffer.from(credId), Buffer.from(this.coseKey())]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    const id = tweak.credentialId ?? this.credentialId;
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON), attestationObject: isoBase64URL.fromBuffer(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get() for options from the server. */
  assert(options: { challenge: string; rpId?: string }, tweak: Tweak = {}) {
    const rpId = tweak.rpId ?? options.rpId ?? 'localhost';
    this.counter = tweak.counter ?? this.counter + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha(rpId), Buffer.from([this.flags(tweak, false)]), counter]);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: tweak.type ?? 'webauthn.get', challenge: tweak.challenge ?? options.challenge, origin: tweak.origin ?? this.origin, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authData, sha(clientDataJSON)]), tweak.signWith ?? this.keys.privateKey);
    const id = tweak.credentialId ?? this.credentialId;
    const userHandle = tweak.userHandle === undefined ? this.userHandle : tweak.userHandle;
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON),
        authenticatorData: isoBase64URL.fromBuffer(authData),
        signature: isoBase64URL.fromBuffer(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

/** Another key, for forged signatures. */
export function otherKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** POSTs for options as passkeys.js does (the page's CSRF token), and parses the JSON. */
export async function askOptions(browser: Browser, pageUrl: string, optionsUrl: string): Promise<{ status: number; csrf: string; options: any }> {
  const page = await browser.get(pageUrl);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${pageUrl} (${page.statusCode})`);
  const res = await browser.post(optionsUrl, { _csrf: csrf });
  return { status: res.statusCode, csrf, options: JSON.parse(res.body) };
}
