// MQTT over WebSocket and secure WebSocket (MQTT 5 §6) with MQTT.js: ws:// and wss:// listeners
// next to the TCP one, a certificate made for the test with openssl.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startManta, freePort, connect, end, collect, subscribe, publish, uniqueTopic,
} from '../lib/manta.js';

let server;
let wsPort;
let wssPort;
let certDir;
const clients = [];

before(async () => {
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'manta-wss-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(certDir, 'server.key'), '-out', path.join(certDir, 'server.pem'),
  ], { stdio: 'ignore' });
  wsPort = await freePort();
  wssPort = await freePort();
  server = await startManta([
    '--Manta:Listeners:1:Name=ws', '--Manta:Listeners:1:Address=127.0.0.1', `--Manta:Listeners:1:Port=${wsPort}`, '--Manta:Listeners:1:Transport=ws',
    '--Manta:Listeners:2:Name=wss', '--Manta:Listeners:2:Address=127.0.0.1', `--Manta:Listeners:2:Port=${wssPort}`, '--Manta:Listeners:2:Transport=wss',
    `--Manta:Certificate:CertificatePath=${path.join(certDir, 'server.pem')}`,
    `--Manta:Certificate:KeyPath=${path.join(certDir, 'server.key')}`,
  ]);
});

after(async () => {
  await server?.stop();
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => end(c)));
});

async function open(target, options) {
  const result = await connect(target, options);
  clients.push(result.client);
  return result;
}

const viaWs = () => ({ host: '127.0.0.1', port: wsPort });
const viaWss = () => ({ host: 'localhost', port: wssPort });

describe('MQTT over WebSocket', () => {
  for (const protocolVersion of [4, 5]) {
    test(`ws:// protocolVersion ${protocolVersion}: subscribe and publish at QoS 1 [MQTT-6.0.0-1]`, async () => {
      const topic = uniqueTopic('ws');
      const { client: sub } = await open(viaWs(), { protocol: 'ws', path: '/mqtt', protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, topic, { qos: 1 });
      const { client: pub } = await open(viaWs(), { protocol: 'ws', path: '/mqtt', protocolVersion });
      await publish(pub, topic, 'over ws', { qos: 1 });
      const [msg] = await inbox.waitFor(1);
      assert.equal(msg.payload.toString(), 'over ws');
    });
  }

  test('wss:// with the server certificate trusted: subscribe and publish', async () => {
    const topic = uniqueTopic('wss');
    const ca = fs.readFileSync(path.join(certDir, 'server.pem'));
    const { client: sub } = await open(viaWss(), { protocol: 'wss', path: '/mqtt', ca, rejectUnauthorized: true });
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1 });
    const { client: pub } = await open(viaWss(), { protocol: 'wss', path: '/mqtt', ca, rejectUnauthorized: true });
    await publish(pub, topic, 'over wss', { qos: 1 });
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.payload.toString(), 'over wss');
  });

  test('a WebSocket client and a TCP client talk to each other', async () => {
    const topic = uniqueTopic('mixed');
    const { client: sub } = await open(viaWs(), { protocol: 'ws', path: '/mqtt' });
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 0 });
    const { client: pub } = await open(server);
    await publish(pub, topic, 'from tcp', { qos: 0 });
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.payload.toString(), 'from tcp');
  });
});
