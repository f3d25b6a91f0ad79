// MQTT 5.0 Topic Aliases (§3.3.2.3.4) with MQTT.js protocolVersion 5: client-to-server aliases
// within Manta's Topic Alias Maximum, and the aliases Manta gives topics it sends.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import mqttPacket from 'mqtt-packet';
import {
  startManta, connect, end, collect, subscribe, publish, uniqueTopic, sleep,
} from '../lib/manta.js';

let server;
const clients = [];

before(async () => { server = await startManta(); });
after(async () => { await server?.stop(); });
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => end(c))); });

async function open(options = {}) {
  const result = await connect(server, { protocolVersion: 5, ...options });
  clients.push(result.client);
  return result;
}

/** Every packet the server writes to this client's socket, parsed from the raw bytes. */
function wire(client) {
  const packets = [];
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  parser.on('packet', (p) => packets.push(p));
  client.stream.on('data', (chunk) => parser.parse(chunk));
  return packets;
}

/** Resolves with the DISCONNECT the server sends (or null if it just closes), bounded. */
function serverDisconnect(client, timeoutMs = 3_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no DISCONNECT / close within ${timeoutMs} ms`)), timeoutMs);
    client.once('disconnect', (packet) => { clearTimeout(timer); resolve(packet); });
    client.once('close', () => { clearTimeout(timer); resolve(null); });
  });
}

describe('client to server', () => {
  test('a Topic Alias above the server\'s Topic Alias Maximum is refused: DISCONNECT 0x94 [MQTT-3.3.2-9 / §3.3.2.3.4]', async () => {
    const { client, connack } = await open();
    client.on('error', () => {});
    const max = connack.properties?.topicAliasMaximum ?? 0;
    const topic = uniqueTopic('alias-over');
    // MQTT.js refuses to send this itself, so write the PUBLISH to its socket directly.
    const disconnected = serverDisconnect(client);
    client.stream.write(mqttPacket.generate(
      { cmd: 'publish', topic, payload: Buffer.from('x'), qos: 0, retain: false, properties: { topicAlias: max + 1 } },
      { protocolVersion: 5 },
    ));
    const packet = await disconnected;
    assert.ok(packet, 'the server sent DISCONNECT before closing');
    assert.equal(packet.reasonCode, 0x94, 'Topic Alias invalid');
  });

  test('CONNACK announces a Topic Alias Maximum of at least 1 [§3.2.2.3.8]', async () => {
    const { connack } = await open();
    assert.ok(connack.properties?.topicAliasMaximum >= 1, `Topic Alias Maximum ${connack.properties?.topicAliasMaximum}`);
  });

  test('the server accepts aliases within its maximum: register, use, re-map [MQTT-3.3.2-12]', async () => {
    const base = uniqueTopic('alias-c2s');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, `${base}/#`, { qos: 1 });

    const { client: pub, connack } = await open();
    const max = connack.properties?.topicAliasMaximum ?? 0;
    assert.ok(max >= 1, `server Topic Alias Maximum ${max}`);
    await publish(pub, `${base}/one`, 'register', { qos: 1, properties: { topicAlias: 1 } });
    await publish(pub, '', 'use', { qos: 1, properties: { topicAlias: 1 } });
    await publish(pub, `${base}/two`, 're-map', { qos: 0, properties: { topicAlias: 1 } });
    await publish(pub, '', 'use again', { qos: 0, properties: { topicAlias: 1 } });
    await publish(pub, `${base}/max`, 'register highest', { qos: 1, properties: { topicAlias: max } });
    await publish(pub, '', 'use highest', { qos: 2, properties: { topicAlias: max } });
    const msgs = await inbox.waitFor(6);
    assert.deepEqual(msgs.map((m) => [m.topic, m.payload.toString()]), [
      [`${base}/one`, 'register'],
      [`${base}/one`, 'use'],
      [`${base}/two`, 're-map'],
      [`${base}/two`, 'use again'],
      [`${base}/max`, 'register highest'],
      [`${base}/max`, 'use highest'],
    ]);
    for (const m of msgs) {
      assert.equal(m.packet.properties?.topicAlias, undefined, 'the publisher\'s alias is not forwarded to a subscriber that allows none');
    }
  });

  test('MQTT.js autoAssignTopicAlias: more topics than aliases, every message arrives on its own topic [MQTT-3.3.2-12]', async () => {
    const base = uniqueTopic('alias-auto');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, `${base}/#`, { qos: 1 });
    const { client: pub, connack } = await open({ autoAssignTopicAlias: true });
    const max = connack.properties?.topicAliasMaximum ?? 0;
    assert.ok(max >= 1, `server Topic Alias Maximum ${max}`);
    const topics = Array.from({ length: Math.min(max, 5) + 3 }, (_, i) => `${base}/t${i}`);
    const expected = [];
    for (let round = 0; round < 3; round++) {
      for (const t of topics) {
        expected.push([t, `${round}`]);
        await publish(pub, t, `${round}`, { qos: 1 });
      }
    }
    const msgs = await inbox.waitFor(expected.length);
    assert.deepEqual(msgs.map((m) => [m.topic, m.payload.toString()]), expected);
  });

  test('an alias mapping does not outlive its connection [MQTT-3.3.2-7]', async () => {
    const id = `alias-conn-${process.pid}`;
    const base = uniqueTopic('alias-conn');
    const first = await open({ clientId: id });
    assert.ok((first.connack.properties?.topicAliasMaximum ?? 0) >= 1);
    await publish(first.client, `${base}/a`, 'register', { qos: 1, properties: { topicAlias: 1 } });
    await end(first.client, false);
    const { client } = await open({ clientId: id });
    client.on('error', () => {});
    const disconnected = serverDisconnect(client);
    // An empty topic with an alias unknown on this connection: Protocol Error (0x82).
    client.stream.write(mqttPacket.generate(
      { cmd: 'publish', topic: '', payload: Buffer.from('x'), qos: 0, retain: false, properties: { topicAlias: 1 } },
      { protocolVersion: 5 },
    ));
    const packet = await disconnected;
    assert.ok(packet, 'the server sent DISCONNECT');
    assert.equal(packet.reasonCode, 0x82);
  });
});

describe('server to client', () => {
  test('a client that allows no aliases never receives one [MQTT-3.3.2-11]', async () => {
    const topic = uniqueTopic('alias-none');
    const { client: sub } = await open();
    const fromServer = wire(sub);
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1 });
    const { client: pub } = await open();
    for (let i = 0; i < 5; i++) await publish(pub, topic, `n${i}`, { qos: 1 });
    await inbox.waitFor(5);
    const publishes = fromServer.filter((p) => p.cmd === 'publish');
    assert.equal(publishes.length, 5);
    for (const p of publishes) {
      assert.equal(p.topic, topic);
      assert.equal(p.properties?.topicAlias, undefined);
    }
  });

  test('the server uses aliases within the client\'s Topic Alias Maximum, and topics resolve correctly [MQTT-3.3.2-11]', async () => {
    const base = uniqueTopic('alias-s2c');
    const clientMax = 2;
    const { client: sub } = await open({ properties: { topicAliasMaximum: clientMax } });
    const errors = [];
    sub.on('error', (err) => errors.push(err.message));
    const fromServer = wire(sub);
    const inbox = collect(sub);
    await subscribe(sub, `${base}/#`, { qos: 1 });

    // Three topics for two aliases, each published several times.
    const topics = [`${base}/a`, `${base}/b`, `${base}/c`];
    const { client: pub } = await open();
    const expected = [];
    for (let round = 0; round < 4; round++) {
      for (const t of [topics[0], topics[0], topics[1], topics[2], topics[0]]) {
        expected.push([t, `${round}`]);
        await publish(pub, t, `${round}`, { qos: round % 2 });
      }
    }
    const msgs = await inbox.waitFor(expected.length);
    await sleep(100);
    assert.deepEqual(errors, [], 'MQTT.js accepted every alias');
    assert.deepEqual(msgs.map((m) => [m.topic, m.payload.toString()]), expected, 'every message arrives on its own topic');
    const publishes = fromServer.filter((p) => p.cmd === 'publish');
    const aliases = publishes.map((p) => p.properties?.topicAlias).filter((a) => a !== undefined);
    assert.ok(aliases.every((a) => a >= 1 && a <= clientMax), `aliases ${aliases} within 1..${clientMax}`);
    assert.ok(publishes.some((p) => p.topic === '' && p.properties?.topicAlias !== undefined),
      'the server sent at least one PUBLISH by alias alone (empty topic name)');
    for (const m of msgs) {
      assert.ok(m.packet.properties?.topicAlias === undefined || (m.packet.properties.topicAlias >= 1 && m.packet.properties.topicAlias <= clientMax));
    }
  });
});
