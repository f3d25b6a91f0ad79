// MQTT 5.0 flow control with MQTT.js protocolVersion 5: Receive Maximum, Maximum Packet Size,
// and the QoS 2 exchange.
//
// MQTT.js handles inbound packets one at a time, so a held acknowledgement (customHandleAcks)
// also holds back the 'packetreceive' events of later packets. To see what the server really
// sent, the tests parse the raw socket bytes with a second mqtt-packet parser (`wire`).

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import mqttPacket from 'mqtt-packet';
import {
  startManta, connect, end, collect, subscribe, publish, uniqueTopic, sleep, withTimeout,
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

/** Every packet the server writes to this client's socket, as parsed from the raw bytes. */
function wire(client) {
  const packets = [];
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  parser.on('packet', (p) => packets.push({ ...p, at: Date.now() }));
  parser.on('error', (err) => packets.push({ cmd: 'parse-error', err }));
  client.stream.on('data', (chunk) => parser.parse(chunk));
  return packets;
}

/** Resolves when predicate() is true (polled), rejects after timeoutMs. */
async function until(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describe('Receive Maximum', () => {
  for (const qos of [1, 2]) {
    test(`the server never has more unacknowledged QoS ${qos} PUBLISH packets out than the client's Receive Maximum (2) [MQTT-3.3.4-9]`, async () => {
      const topic = uniqueTopic(`recvmax-q${qos}`);
      const held = [];
      const { client: sub } = await open({
        properties: { receiveMaximum: 2 },
        // Hold every PUBACK / PUBREC until the test releases it.
        customHandleAcks: (_topic, _message, _packet, done) => { held.push(done); },
      });
      const fromServer = wire(sub);
      const ackCmd = qos === 1 ? 'puback' : 'pubcomp';
      let acked = 0;
      let maxOutstanding = 0;
      const outstanding = () => fromServer.filter((p) => p.cmd === 'publish' && p.qos > 0).length - acked;
      sub.on('packetsend', (p) => { if (p.cmd === ackCmd) acked += 1; });
      client_onData(sub, () => { maxOutstanding = Math.max(maxOutstanding, outstanding()); });
      const inbox = collect(sub);
      await subscribe(sub, topic, { qos });

      const { client: pub } = await open();
      const total = 8;
      for (let i = 0; i < total; i++) await publish(pub, topic, `m${i}`, { qos });

      // Nothing acknowledged yet: exactly the window is out, no more.
      await sleep(500);
      const sentBeforeAnyAck = fromServer.filter((p) => p.cmd === 'publish').length;
      assert.equal(acked, 0);
      assert.equal(sentBeforeAnyAck, 2, `PUBLISH packets received before any acknowledgement: ${sentBeforeAnyAck}`);

      // Release acknowledgements one by one; the server refills the window.
      const releaser = setInterval(() => { const done = held.shift(); if (done) done(null, 0); }, 25);
      try {
        await until(() => acked >= total, 8_000, `${total} acknowledgements (acked ${acked})`);
      } finally {
        clearInterval(releaser);
      }
      await inbox.waitFor(total);
      assert.ok(maxOutstanding <= 2, `at most 2 unacknowledged PUBLISH packets out at any time (saw ${maxOutstanding})`);
      assert.deepEqual(inbox.messages.map((m) => m.payload.toString()), Array.from({ length: total }, (_, i) => `m${i}`),
        'every message delivered once, in order [MQTT-4.6.0-6]');
      assert.ok(inbox.messages.every((m) => m.packet.qos === qos));
    });
  }
});

/** Runs fn after the client has seen each chunk of socket data (after wire() parsed it). */
function client_onData(client, fn) {
  client.stream.on('data', () => fn());
}

describe('Maximum Packet Size', () => {
  // A v5 QoS 1 PUBLISH with no properties: 1 (type) + remaining-length bytes + 2 + topic
  // + 2 (packet id) + 1 (property length 0) + payload.
  const publishSize = (topic, payloadLength, qos) => {
    const remaining = 2 + Buffer.byteLength(topic) + (qos > 0 ? 2 : 0) + 1 + payloadLength;
    const lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : 3;
    return 1 + lengthBytes + remaining;
  };

  test('a message larger than the client\'s Maximum Packet Size is not sent; later smaller ones are [MQTT-3.1.2-24 / MQTT-3.1.2-25]', async () => {
    const limit = 256;
    const topic = uniqueTopic('maxpkt');
    const { client: sub } = await open({ properties: { maximumPacketSize: limit } });
    const fromServer = wire(sub);
    const problems = [];
    sub.on('error', (err) => problems.push(`error: ${err.message}`));
    sub.on('close', () => problems.push('close'));
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1 });

    // Exactly at the limit (must arrive) and one byte over (must not), at QoS 1 and QoS 0.
    let fits = limit - publishSize(topic, 0, 1);
    while (publishSize(topic, fits, 1) > limit) fits -= 1;
    assert.equal(publishSize(topic, fits, 1), limit);
    assert.equal(publishSize(topic, fits + 1, 1), limit + 1);
    const { client: pub } = await open();
    await publish(pub, topic, Buffer.alloc(fits + 1, 0x62), { qos: 1 });
    await publish(pub, topic, Buffer.alloc(4_000, 0x62), { qos: 0 });
    await publish(pub, topic, 'small 1', { qos: 1 });
    await publish(pub, topic, Buffer.alloc(fits, 0x61), { qos: 1 });
    await publish(pub, topic, Buffer.alloc(10_000, 0x62), { qos: 1 });
    await publish(pub, topic, 'small 2', { qos: 0 });

    await inbox.waitFor(3);
    await sleep(300);
    assert.deepEqual(problems, [], 'the subscriber stayed connected without errors');
    assert.deepEqual(inbox.messages.map((m) => (m.payload.length > 20 ? `${m.payload.length} bytes` : m.payload.toString())),
      ['small 1', `${fits} bytes`, 'small 2']);
    const biggest = Math.max(...fromServer.map((p) => 1 + (p.length < 128 ? 1 : p.length < 16_384 ? 2 : 3) + p.length));
    assert.ok(biggest <= limit, `largest packet from the server was ${biggest} bytes, limit ${limit}`);
    assert.equal(fromServer.filter((p) => p.cmd === 'publish').length, 3, 'the oversized QoS 1 message is not retried either');
  });
});

describe('QoS 2', () => {
  test('the QoS 2 exchange completes on both sides and delivers exactly once [§4.3.3, MQTT-4.3.3-*]', async () => {
    const topic = uniqueTopic('qos2');
    const { client: sub } = await open();
    const subSeen = [];
    sub.on('packetreceive', (p) => subSeen.push(`recv ${p.cmd}`));
    sub.on('packetsend', (p) => subSeen.push(`send ${p.cmd}`));
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 2 });

    const { client: pub } = await open();
    const pubSeen = [];
    pub.on('packetreceive', (p) => pubSeen.push(`recv ${p.cmd}`));
    pub.on('packetsend', (p) => pubSeen.push(`send ${p.cmd}`));
    const result = await publish(pub, topic, 'exactly once', { qos: 2 });
    assert.ok(result, 'publishAsync resolved after PUBCOMP');
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.packet.qos, 2);
    await until(() => subSeen.includes('send pubcomp'), 2_000, 'the subscriber to send PUBCOMP');
    await sleep(200);

    assert.deepEqual(pubSeen.filter((e) => /publish|pubrec|pubrel|pubcomp/.test(e)),
      ['send publish', 'recv pubrec', 'send pubrel', 'recv pubcomp'], 'publisher side');
    assert.deepEqual(subSeen.filter((e) => /publish|pubrec|pubrel|pubcomp/.test(e)),
      ['recv publish', 'send pubrec', 'recv pubrel', 'send pubcomp'], 'subscriber side');
    assert.equal(inbox.messages.length, 1);
    assert.equal(sub.outgoing[msg.packet.messageId], undefined);
  });

  test('many QoS 2 messages are each delivered exactly once, in order [§4.3.3, MQTT-4.6.0-6]', async () => {
    const topic = uniqueTopic('qos2-many');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 2 });
    const { client: pub } = await open();
    const total = 50;
    await withTimeout(Promise.all(Array.from({ length: total }, (_, i) => pub.publishAsync(topic, `n${i}`, { qos: 2 }))),
      10_000, `${total} QoS 2 publications to complete`);
    await inbox.waitFor(total, 10_000);
    await sleep(200);
    assert.deepEqual(inbox.messages.map((m) => m.payload.toString()), Array.from({ length: total }, (_, i) => `n${i}`));
  });

  test('a re-sent QoS 2 PUBLISH (DUP 1, same packet id) before PUBREL is acknowledged but not delivered twice [MQTT-4.3.3-9]', async () => {
    const topic = uniqueTopic('qos2-dup');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 2 });

    // Drive the sender side by hand over MQTT.js's own socket, with a packet id MQTT.js does
    // not use (it ignores the acknowledgements of ids it does not track).
    const { client: pub } = await open();
    const fromServer = wire(pub);
    const messageId = 65_000;
    const raw = (packet) => pub.stream.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
    const packet = { cmd: 'publish', topic, payload: Buffer.from('once'), qos: 2, messageId, retain: false };
    raw({ ...packet, dup: false });
    await until(() => fromServer.some((p) => p.cmd === 'pubrec'), 2_000, 'PUBREC');
    raw({ ...packet, dup: true });
    await until(() => fromServer.filter((p) => p.cmd === 'pubrec').length === 2, 2_000, 'a second PUBREC for the re-sent PUBLISH');
    raw({ cmd: 'pubrel', messageId });
    await until(() => fromServer.some((p) => p.cmd === 'pubcomp'), 2_000, 'PUBCOMP');

    await inbox.waitFor(1);
    await sleep(300);
    assert.deepEqual(fromServer.filter((p) => p.messageId === messageId).map((p) => [p.cmd, p.reasonCode ?? 0]),
      [['pubrec', 0], ['pubrec', 0], ['pubcomp', 0]]);
    assert.deepEqual(inbox.messages.map((m) => m.payload.toString()), ['once'], 'delivered exactly once');
  });
});
