// MQTT.js 5 against Manta with MQTT 3.1.1 (protocolVersion 4) and 5.0 (protocolVersion 5):
// connect, publish/subscribe at every QoS, retained messages, wildcards.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startManta, connect, end, collect, subscribe, publish, uniqueTopic, clientId, sleep,
} from '../lib/manta.js';

let server;
const clients = [];

before(async () => { server = await startManta(); });
after(async () => { await server?.stop(); });
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => end(c))); });

async function open(options) {
  const result = await connect(server, options);
  clients.push(result.client);
  return result;
}

for (const protocolVersion of [4, 5]) {
  const v = protocolVersion === 4 ? 'MQTT 3.1.1' : 'MQTT 5.0';
  const ok = (connack) => (protocolVersion === 5 ? connack.reasonCode : connack.returnCode);

  describe(`${v} (protocolVersion ${protocolVersion})`, () => {
    test('CONNECT with clean start is accepted: CONNACK 0, session present 0 [MQTT-3.2.2-1 / MQTT-3.2.2-2]', async () => {
      const { client, connack } = await open({ protocolVersion, clean: true });
      assert.equal(connack.cmd, 'connack');
      assert.equal(ok(connack), 0);
      assert.equal(connack.sessionPresent, false);
      assert.equal(client.connected, true);
    });

    for (const qos of [0, 1, 2]) {
      test(`publish and subscribe at QoS ${qos}: topic, payload and QoS arrive unchanged [§4.3, MQTT-3.3.2 / MQTT-3.3.3]`, async () => {
        const topic = `${uniqueTopic(`qos${qos}`)}/a`;
        const { client: sub } = await open({ protocolVersion });
        const inbox = collect(sub);
        const granted = await subscribe(sub, topic, { qos: 2 });
        assert.deepEqual(granted.map((g) => g.qos), [2]);

        const { client: pub } = await open({ protocolVersion });
        const payload = Buffer.from([0x00, 0x01, 0xfe, 0xff, ...Buffer.from(`héllo qos ${qos}`)]);
        const done = await publish(pub, topic, payload, { qos });
        if (qos > 0) {
          assert.ok(done, 'publishAsync resolves with the packet once PUBACK / PUBCOMP arrived');
        }

        const [msg] = await inbox.waitFor(1);
        assert.equal(msg.topic, topic);
        assert.deepEqual(msg.payload, payload);
        assert.equal(msg.packet.qos, qos);
        assert.equal(msg.packet.retain, false);
        assert.equal(msg.packet.dup, false);
        if (qos > 0) assert.ok(msg.packet.messageId > 0, 'QoS > 0 delivery carries a packet identifier');

        await sleep(150);
        assert.equal(inbox.messages.length, 1, 'delivered exactly once');
      });
    }

    test('delivery QoS is the minimum of publication QoS and granted QoS [MQTT-3.8.4 / §3.8.4]', async () => {
      const topic = uniqueTopic('minqos');
      const { client: sub } = await open({ protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, topic, { qos: 1 });
      const { client: pub } = await open({ protocolVersion });
      await publish(pub, topic, 'two', { qos: 2 });
      await publish(pub, topic, 'zero', { qos: 0 });
      const msgs = await inbox.waitFor(2);
      assert.deepEqual(msgs.map((m) => [m.payload.toString(), m.packet.qos]), [['two', 1], ['zero', 0]]);
    });

    test('retained message is sent to a later subscriber with RETAIN 1 [MQTT-3.3.1-6 / MQTT-3.3.1-8 (3.1.1), §3.3.1.3 (5.0)]', async () => {
      const topic = uniqueTopic('retained');
      const { client: pub } = await open({ protocolVersion });
      await publish(pub, topic, 'kept', { qos: 1, retain: true });

      const { client: sub } = await open({ protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, topic, { qos: 1 });
      const [msg] = await inbox.waitFor(1);
      assert.equal(msg.topic, topic);
      assert.equal(msg.payload.toString(), 'kept');
      assert.equal(msg.packet.retain, true);
      assert.equal(msg.packet.qos, 1);

      // A message published while subscribed is a live one: RETAIN 0 (3.1.1 MQTT-3.3.1-9; 5.0 with
      // Retain As Published 0, MQTT-3.3.1-12), even though the publisher set RETAIN 1.
      await publish(pub, topic, 'live', { qos: 1, retain: true });
      const [, live] = await inbox.waitFor(2);
      assert.equal(live.payload.toString(), 'live');
      assert.equal(live.packet.retain, false);
    });

    test('retained message is replaced by a newer one and removed by an empty payload [MQTT-3.3.1-5 / MQTT-3.3.1-6 (5.0) / MQTT-3.3.1-10 (3.1.1)]', async () => {
      const topic = uniqueTopic('retain-replace');
      const { client: pub } = await open({ protocolVersion });
      await publish(pub, topic, 'first', { qos: 1, retain: true });
      await publish(pub, topic, 'second', { qos: 1, retain: true });

      const { client: sub1 } = await open({ protocolVersion });
      const inbox1 = collect(sub1);
      await subscribe(sub1, topic, { qos: 1 });
      const [msg] = await inbox1.waitFor(1);
      assert.equal(msg.payload.toString(), 'second');
      await sleep(150);
      assert.equal(inbox1.messages.length, 1, 'only the latest retained message is kept');

      await publish(pub, topic, '', { qos: 1, retain: true });
      const { client: sub2 } = await open({ protocolVersion });
      const inbox2 = collect(sub2);
      await subscribe(sub2, topic, { qos: 1 });
      await sleep(300);
      assert.equal(inbox2.messages.length, 0, 'an empty retained message clears the retained message');
    });

    test("single-level wildcard '+' matches exactly one level [§4.7.1.3]", async () => {
      const base = uniqueTopic('plus');
      const { client: sub } = await open({ protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, `${base}/+/temp`, { qos: 1 });
      const { client: pub } = await open({ protocolVersion });
      await publish(pub, `${base}/kitchen/temp`, '1', { qos: 1 });
      await publish(pub, `${base}/kitchen/fridge/temp`, 'no', { qos: 1 });
      await publish(pub, `${base}/temp`, 'no', { qos: 1 });
      await publish(pub, `${base}//temp`, '2', { qos: 1 });
      await publish(pub, `${base}/hall/temp`, '3', { qos: 1 });
      await inbox.waitFor(3);
      await sleep(200);
      assert.deepEqual(inbox.messages.map((m) => m.topic), [
        `${base}/kitchen/temp`, `${base}//temp`, `${base}/hall/temp`,
      ]);
    });

    test("multi-level wildcard '#' matches the parent and every level below [§4.7.1.2]", async () => {
      const base = uniqueTopic('hash');
      const { client: sub } = await open({ protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, `${base}/sport/#`, { qos: 1 });
      const { client: pub } = await open({ protocolVersion });
      await publish(pub, `${base}/sport`, 'parent', { qos: 1 });
      await publish(pub, `${base}/sport/tennis`, 'one', { qos: 1 });
      await publish(pub, `${base}/sport/tennis/player1/ranking`, 'deep', { qos: 1 });
      await publish(pub, `${base}/sports`, 'no', { qos: 1 });
      await publish(pub, `${base}/other/sport`, 'no', { qos: 1 });
      await inbox.waitFor(3);
      await sleep(200);
      assert.deepEqual(inbox.messages.map((m) => m.payload.toString()), ['parent', 'one', 'deep']);
    });

    test("wildcards do not match topics beginning with '$' [MQTT-4.7.2-1]", async () => {
      const { client: sub } = await open({ protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, '#', { qos: 0 });
      await subscribe(sub, '+/interop-dollar', { qos: 0 });
      const { client: pub } = await open({ protocolVersion });
      const marker = uniqueTopic('dollar-marker');
      await publish(pub, '$interop/interop-dollar', 'hidden', { qos: 1 });
      await publish(pub, marker, 'visible', { qos: 1 });
      // Other tests' traffic may arrive on '#' too; only '$' topics matter here.
      await inbox.waitFor(1);
      await sleep(200);
      assert.ok(inbox.messages.some((m) => m.topic === marker), 'the marker arrived');
      assert.deepEqual(inbox.messages.filter((m) => m.topic.startsWith('$')).map((m) => m.topic), []);
    });

    test('a persistent session keeps its subscription and gets QoS 1 messages published while offline [MQTT-3.2.2-2 (3.1.1) / MQTT-3.2.2-3 (5.0), §4.1]', async () => {
      const topic = uniqueTopic('offline');
      const persistent = {
        protocolVersion,
        clientId: clientId(`persist-v${protocolVersion}`),
        clean: false,
        ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 30 } } : {}),
      };
      const first = await open(persistent);
      assert.equal(first.connack.sessionPresent, false);
      await subscribe(first.client, topic, { qos: 1 });
      await end(first.client, false);

      const { client: pub } = await open({ protocolVersion });
      await publish(pub, topic, 'while offline 1', { qos: 1 });
      await publish(pub, topic, 'while offline 2', { qos: 1 });

      const second = await open(persistent);
      assert.equal(second.connack.sessionPresent, true);
      const msgs = await collect(second.client).waitFor(2);
      assert.deepEqual(msgs.map((m) => [m.topic, m.payload.toString(), m.packet.qos]), [
        [topic, 'while offline 1', 1], [topic, 'while offline 2', 1],
      ]);
      await end(second.client, false);
      const cleanup = await open({ ...persistent, clean: true, properties: undefined });
      assert.equal(cleanup.connack.sessionPresent, false);
    });

    test('unsubscribe stops delivery [MQTT-3.10.4-2]', async () => {
      const topic = uniqueTopic('unsub');
      const { client: sub } = await open({ protocolVersion });
      const inbox = collect(sub);
      await subscribe(sub, topic, { qos: 1 });
      const { client: pub } = await open({ protocolVersion });
      await publish(pub, topic, 'before', { qos: 1 });
      await inbox.waitFor(1);
      await sub.unsubscribeAsync(topic);
      await publish(pub, topic, 'after', { qos: 1 });
      await sleep(300);
      assert.deepEqual(inbox.messages.map((m) => m.payload.toString()), ['before']);
    });
  });
}
