// MQTT 5.0 properties and subscription options, MQTT.js protocolVersion 5 against Manta.

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

async function open(options = {}, target = server) {
  const result = await connect(target, { protocolVersion: 5, ...options });
  clients.push(result.client);
  return result;
}

const sentProperties = () => ({
  payloadFormatIndicator: true,
  contentType: 'application/json; charset=utf-8',
  responseTopic: 'interop/replies/ünïcode',
  correlationData: Buffer.from([0x00, 0xde, 0xad, 0xbe, 0xef, 0xff]),
  userProperties: {
    first: 'one',
    repeated: ['a', 'b', 'a', 'c'],
    'ünï-name': 'vålue with spaces',
    empty: '',
  },
});

function assertPropertiesUnchanged(received, sent) {
  assert.ok(received, 'the delivered PUBLISH has properties');
  assert.equal(received.payloadFormatIndicator, sent.payloadFormatIndicator, 'Payload Format Indicator [MQTT-3.3.2-4]');
  assert.equal(received.contentType, sent.contentType, 'Content Type [MQTT-3.3.2-20]');
  assert.equal(received.responseTopic, sent.responseTopic, 'Response Topic [MQTT-3.3.2-15]');
  assert.deepEqual(received.correlationData, sent.correlationData, 'Correlation Data [MQTT-3.3.2-16]');
  // MQTT.js folds repeated names into an array in arrival order: order within a name is checked.
  assert.deepEqual({ ...received.userProperties }, sent.userProperties, 'User Properties unaltered, in order [MQTT-3.3.2-17 / MQTT-3.3.2-18]');
}

describe('application message properties pass through unchanged', () => {
  for (const qos of [0, 1, 2]) {
    test(`live message at QoS ${qos}: Payload Format Indicator, Content Type, Response Topic, Correlation Data, User Properties [MQTT-3.3.2-4, -15, -16, -17, -18, -20]`, async () => {
      const topic = uniqueTopic('props');
      const { client: sub } = await open();
      const inbox = collect(sub);
      await subscribe(sub, topic, { qos: 2 });
      const { client: pub } = await open();
      const sent = sentProperties();
      await publish(pub, topic, '{"x":1}', { qos, properties: structuredClone(sent) });
      const [msg] = await inbox.waitFor(1);
      assert.equal(msg.payload.toString(), '{"x":1}');
      assert.equal(msg.packet.qos, qos);
      assertPropertiesUnchanged(msg.packet.properties, sent);
      assert.equal(msg.packet.properties.topicAlias, undefined, 'no Topic Alias was asked for');
    });
  }

  test('Payload Format Indicator 0 is forwarded as 0, and an absent property stays absent [MQTT-3.3.2-4]', async () => {
    const topic = uniqueTopic('pfi0');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1 });
    const { client: pub } = await open();
    await publish(pub, topic, Buffer.from([0xff, 0xfe]), { qos: 1, properties: { payloadFormatIndicator: false } });
    await publish(pub, topic, 'bare', { qos: 1 });
    const [binary, bare] = await inbox.waitFor(2);
    assert.equal(binary.packet.properties?.payloadFormatIndicator, false);
    for (const name of ['payloadFormatIndicator', 'contentType', 'responseTopic', 'correlationData', 'userProperties', 'messageExpiryInterval']) {
      assert.equal(bare.packet.properties?.[name], undefined, `${name} absent on a message published without it`);
    }
  });

  test('a retained message keeps its properties when delivered to a later subscriber [MQTT-3.3.2-4, -15, -16, -17, -18, -20]', async () => {
    const topic = uniqueTopic('props-retained');
    const { client: pub } = await open();
    const sent = sentProperties();
    await publish(pub, topic, 'r', { qos: 1, retain: true, properties: structuredClone(sent) });
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1 });
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.packet.retain, true);
    assertPropertiesUnchanged(msg.packet.properties, sent);
  });
});

describe('subscription identifiers', () => {
  test('CONNACK does not deny subscription identifiers [§3.2.2.3.12]', async () => {
    const { connack } = await open();
    assert.notEqual(connack.properties?.subscriptionIdentifiersAvailable, false);
  });

  test('a delivered message carries the subscription identifier of its subscription [MQTT-3.3.4-3]', async () => {
    const base = uniqueTopic('subid');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, `${base}/a`, { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await subscribe(sub, `${base}/b`, { qos: 1 });
    await subscribe(sub, `${base}/c`, { qos: 1, properties: { subscriptionIdentifier: 268435455 } });
    const { client: pub } = await open();
    await publish(pub, `${base}/a`, 'a', { qos: 1 });
    await publish(pub, `${base}/b`, 'b', { qos: 1 });
    await publish(pub, `${base}/c`, 'c', { qos: 0 });
    const msgs = await inbox.waitFor(3);
    const byTopic = Object.fromEntries(msgs.map((m) => [m.topic, m.packet.properties?.subscriptionIdentifier]));
    assert.equal(byTopic[`${base}/a`], 7);
    assert.equal(byTopic[`${base}/b`], undefined, 'no identifier for a subscription made without one');
    assert.equal(byTopic[`${base}/c`], 268435455, 'the largest identifier (4-byte variable byte integer)');
  });

  test('overlapping subscriptions: the delivery carries every matching identifier [MQTT-3.3.4-3]', async () => {
    const base = uniqueTopic('subid-overlap');
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, `${base}/x`, { qos: 1, properties: { subscriptionIdentifier: 11 } });
    await subscribe(sub, `${base}/+`, { qos: 1, properties: { subscriptionIdentifier: 12 } });
    const { client: pub } = await open();
    await publish(pub, `${base}/x`, 'both', { qos: 1 });
    await inbox.waitFor(1);
    await sleep(200);
    // Manta sends one delivery per session (ARCHITECTURE.md); the spec also allows one per
    // subscription, so collect the identifiers over all deliveries.
    const ids = inbox.messages.flatMap((m) => [m.packet.properties?.subscriptionIdentifier ?? []].flat());
    assert.deepEqual(ids.sort((a, b) => a - b), [11, 12]);
  });

  test('a retained message sent on subscribe carries the new subscription\'s identifier [MQTT-3.3.4-3]', async () => {
    const topic = uniqueTopic('subid-retained');
    const { client: pub } = await open();
    await publish(pub, topic, 'r', { qos: 1, retain: true });
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1, properties: { subscriptionIdentifier: 99 } });
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.packet.retain, true);
    assert.equal(msg.packet.properties?.subscriptionIdentifier, 99);
  });
});

describe('subscription options', () => {
  test('No Local: a client\'s own message is not delivered back to it, others still get it [MQTT-3.8.3-3]', async () => {
    const topic = uniqueTopic('nolocal');
    const { client: self } = await open();
    const selfInbox = collect(self);
    await subscribe(self, topic, { qos: 1, nl: true });
    const { client: other } = await open();
    const otherInbox = collect(other);
    await subscribe(other, topic, { qos: 1, nl: true });

    await publish(self, topic, 'from self', { qos: 1 });
    const [got] = await otherInbox.waitFor(1);
    assert.equal(got.payload.toString(), 'from self');
    await publish(other, topic, 'from other', { qos: 1 });
    const [fromOther] = await selfInbox.waitFor(1);
    assert.equal(fromOther.payload.toString(), 'from other');
    await sleep(200);
    assert.deepEqual(selfInbox.messages.map((m) => m.payload.toString()), ['from other'], 'self never got its own message');
    assert.deepEqual(otherInbox.messages.map((m) => m.payload.toString()), ['from self'], 'other never got its own message');
  });

  test('without No Local a client receives its own message', async () => {
    const topic = uniqueTopic('local');
    const { client } = await open();
    const inbox = collect(client);
    await subscribe(client, topic, { qos: 1, nl: false });
    await publish(client, topic, 'echo', { qos: 1 });
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.payload.toString(), 'echo');
  });

  test('Retain As Published: 1 keeps RETAIN 1 on a live retained message, 0 clears it [MQTT-3.3.1-12 / MQTT-3.3.1-13]', async () => {
    const topic = uniqueTopic('rap');
    const { client: asPublished } = await open();
    const rapInbox = collect(asPublished);
    await subscribe(asPublished, topic, { qos: 1, rap: true });
    const { client: plain } = await open();
    const plainInbox = collect(plain);
    await subscribe(plain, topic, { qos: 1, rap: false });

    const { client: pub } = await open();
    await publish(pub, topic, 'retained', { qos: 1, retain: true });
    await publish(pub, topic, 'not retained', { qos: 1, retain: false });
    const rap = await rapInbox.waitFor(2);
    const noRap = await plainInbox.waitFor(2);
    assert.deepEqual(rap.map((m) => [m.payload.toString(), m.packet.retain]), [['retained', true], ['not retained', false]]);
    assert.deepEqual(noRap.map((m) => [m.payload.toString(), m.packet.retain]), [['retained', false], ['not retained', false]]);
  });

  test('Retain Handling 0 sends retained messages on every subscribe [MQTT-3.3.1-9]', async () => {
    const topic = uniqueTopic('rh0');
    const { client: pub } = await open();
    await publish(pub, topic, 'r0', { qos: 1, retain: true });
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1, rh: 0 });
    await inbox.waitFor(1);
    await subscribe(sub, topic, { qos: 1, rh: 0 });
    const msgs = await inbox.waitFor(2);
    assert.deepEqual(msgs.map((m) => [m.payload.toString(), m.packet.retain]), [['r0', true], ['r0', true]]);
  });

  test('Retain Handling 1 sends retained messages only if the subscription did not exist [MQTT-3.3.1-10]', async () => {
    const topic = uniqueTopic('rh1');
    const { client: pub } = await open();
    await publish(pub, topic, 'r1', { qos: 1, retain: true });
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1, rh: 1 });
    const [first] = await inbox.waitFor(1);
    assert.equal(first.payload.toString(), 'r1');
    assert.equal(first.packet.retain, true);
    await subscribe(sub, topic, { qos: 1, rh: 1 });
    await sleep(300);
    assert.equal(inbox.messages.length, 1, 're-subscribing to an existing subscription sends nothing');
    // Live messages still flow.
    await publish(pub, topic, 'live', { qos: 1 });
    const [, live] = await inbox.waitFor(2);
    assert.equal(live.payload.toString(), 'live');
  });

  test('Retain Handling 2 never sends retained messages on subscribe, live messages still arrive [MQTT-3.3.1-11]', async () => {
    const topic = uniqueTopic('rh2');
    const { client: pub } = await open();
    await publish(pub, topic, 'r2', { qos: 1, retain: true });
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, topic, { qos: 1, rh: 2 });
    await sleep(300);
    assert.equal(inbox.messages.length, 0, 'no retained message on subscribe');
    await publish(pub, topic, 'live', { qos: 1 });
    const [live] = await inbox.waitFor(1);
    assert.equal(live.payload.toString(), 'live');
  });
});

describe('message expiry', () => {
  test('an expired message is not delivered: retained (expiry 1 s, subscribe after 2 s) and queued for an offline session [MQTT-3.3.2-5]', async () => {
    const base = uniqueTopic('expiry');
    // A persistent session that goes offline with a subscription.
    const offlineId = clientId('expiry-offline');
    const { client: offline } = await open({ clientId: offlineId, clean: false, properties: { sessionExpiryInterval: 60 } });
    await subscribe(offline, `${base}/queued`, { qos: 1 });
    await end(offline, false);

    const { client: pub } = await open();
    await publish(pub, `${base}/retained`, 'short', { qos: 1, retain: true, properties: { messageExpiryInterval: 1 } });
    await publish(pub, `${base}/queued`, 'short', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await publish(pub, `${base}/queued`, 'long', { qos: 1, properties: { messageExpiryInterval: 60 } });
    await sleep(2_100);

    const { client: late } = await open();
    const lateInbox = collect(late);
    await subscribe(late, `${base}/retained`, { qos: 1 });

    const { client: back, connack } = await open({ clientId: offlineId, clean: false, properties: { sessionExpiryInterval: 60 } });
    assert.equal(connack.sessionPresent, true);
    const backInbox = collect(back);
    const [queued] = await backInbox.waitFor(1);
    await sleep(300);
    assert.equal(lateInbox.messages.length, 0, 'the expired retained message was not delivered');
    assert.deepEqual(backInbox.messages.map((m) => m.payload.toString()), ['long'], 'only the unexpired queued message was delivered');
    assert.ok(queued.packet.properties?.messageExpiryInterval <= 59,
      `queued 2 s: remaining expiry ${queued.packet.properties?.messageExpiryInterval} must be below 60 [MQTT-3.3.2-6]`);
    // Clean the session up.
    await end(back);
    const { client: cleaner } = await open({ clientId: offlineId, clean: true });
    await end(cleaner);
  });

  test('a delivered message carries a Message Expiry Interval no larger than the original [MQTT-3.3.2-6]', async () => {
    const base = uniqueTopic('expiry-remaining');
    const { client: pub } = await open();
    await publish(pub, `${base}/retained`, 'r', { qos: 1, retain: true, properties: { messageExpiryInterval: 30 } });
    const { client: live } = await open();
    const liveInbox = collect(live);
    await subscribe(live, `${base}/live`, { qos: 1 });
    await publish(pub, `${base}/live`, 'l', { qos: 1, properties: { messageExpiryInterval: 30 } });
    const [liveMsg] = await liveInbox.waitFor(1);
    const liveExpiry = liveMsg.packet.properties?.messageExpiryInterval;
    assert.ok(Number.isInteger(liveExpiry) && liveExpiry >= 28 && liveExpiry <= 30, `live delivery expiry ${liveExpiry} in 28..30`);

    await sleep(1_100);
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, `${base}/retained`, { qos: 1 });
    const [msg] = await inbox.waitFor(1);
    const remaining = msg.packet.properties?.messageExpiryInterval;
    assert.ok(Number.isInteger(remaining), 'the Message Expiry Interval is present');
    assert.ok(remaining <= 29 && remaining >= 25, `retained for ~1.1 s: remaining expiry ${remaining} in 25..29`);
  });
});

describe('CONNACK', () => {
  test('Request Response Information is answered with a topic prefix of the client\'s own [§3.1.2.11.7 / §3.2.2.3.15]', async () => {
    const clientId = `rr-${Date.now()}`;
    const { connack } = await open({ clientId, properties: { requestResponseInformation: true } });
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.responseInformation, `response/${clientId}`);
  });

  test('no Response Information unless the client asks for it [MQTT-3.1.2-28]', async () => {
    const { connack } = await open();
    assert.equal(connack.properties?.responseInformation, undefined);
  });

  test('CONNACK announces the server\'s Maximum Packet Size (policy default 1048576) [§3.2.2.3.6]', async () => {
    const { connack } = await open();
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.maximumPacketSize, 1_048_576);
  });

  test('CONNACK Maximum Packet Size follows Manta:Broker:Policy:MaximumPacketSize', async () => {
    const small = await startManta(['--Manta:Broker:Policy:MaximumPacketSize=4096']);
    try {
      const { client, connack } = await connect(small, { protocolVersion: 5 });
      try {
        assert.equal(connack.properties?.maximumPacketSize, 4096);
      } finally {
        await end(client);
      }
    } finally {
      await small.stop();
    }
  });

  test('Maximum QoS 1 (Manta:Broker:Policy:MaximumQoS=AtLeastOnce): announced in CONNACK, QoS 2 SUBSCRIBE accepted and granted 1 [MQTT-3.2.2-9 / MQTT-3.2.2-10]', async () => {
    const limited = await startManta(['--Manta:Broker:Policy:MaximumQoS=AtLeastOnce']);
    const opened = [];
    try {
      const { client: sub, connack } = await connect(limited, { protocolVersion: 5 });
      opened.push(sub);
      assert.equal(connack.properties?.maximumQoS, 1);
      const granted = await subscribe(sub, 'interop/maxqos', { qos: 2 });
      assert.deepEqual(granted.map((g) => g.qos), [1]);
      const { client: pub } = await connect(limited, { protocolVersion: 5 });
      opened.push(pub);
      await publish(pub, 'interop/maxqos', 'q1', { qos: 1 });
      const [msg] = await collect(sub).waitFor(1);
      assert.equal(msg.packet.qos, 1);
    } finally {
      await Promise.all(opened.map((c) => end(c)));
      await limited.stop();
    }
  });

  test('Session Present: 0 for a new session, 1 when resuming with Clean Start 0, 0 after Clean Start 1 [MQTT-3.2.2-2 / MQTT-3.2.2-3]', async () => {
    const id = clientId('session');
    const topic = uniqueTopic('session');
    const persistent = { clientId: id, clean: false, properties: { sessionExpiryInterval: 30 } };

    const first = await open(persistent);
    assert.equal(first.connack.sessionPresent, false, 'no session existed');
    await subscribe(first.client, topic, { qos: 1 });
    await end(first.client, false);

    const second = await open(persistent);
    assert.equal(second.connack.sessionPresent, true, 'the session with its subscription was kept');
    const inbox = collect(second.client);
    const { client: pub } = await open();
    await publish(pub, topic, 'still subscribed', { qos: 1 });
    const [msg] = await inbox.waitFor(1);
    assert.equal(msg.payload.toString(), 'still subscribed', 'the resumed session kept its subscription');
    await end(second.client, false);

    const third = await open({ clientId: id, clean: true, properties: { sessionExpiryInterval: 30 } });
    assert.equal(third.connack.sessionPresent, false, 'Clean Start 1 discards the session');
    await end(third.client, false);

    const fourth = await open(persistent);
    assert.equal(fourth.connack.sessionPresent, true, 'the session created by the Clean Start 1 connection persists (expiry 30)');
    const inbox4 = collect(fourth.client);
    await publish(pub, topic, 'old subscription gone', { qos: 1 });
    await sleep(300);
    assert.equal(inbox4.messages.length, 0, 'the subscription was discarded with the old session');
    await end(fourth.client, false);
    const cleanup = await open({ clientId: id, clean: true });
    await end(cleanup.client, false);
  });

  test('DISCONNECT can shorten the session expiry: set to 0 there, the session ends with the connection [§3.14.2.2.2]', async () => {
    const id = clientId('shorten');
    const persistent = { clientId: id, clean: false, properties: { sessionExpiryInterval: 300 } };
    const first = await open(persistent);
    await subscribe(first.client, uniqueTopic('shorten'), { qos: 1 });
    await new Promise((resolve) => first.client.end(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } }, resolve));

    const second = await open(persistent);
    assert.equal(second.connack.sessionPresent, false, 'the DISCONNECT ended the session');
    await end(second.client, false);
    const cleanup = await open({ clientId: id, clean: true });
    await end(cleanup.client, false);
  });

  test('Session Expiry Interval 0: the session ends with the connection, Session Present 0 on return [§3.1.2.11.2, MQTT-3.2.2-3]', async () => {
    const id = clientId('session0');
    const first = await open({ clientId: id, clean: false });
    assert.equal(first.connack.sessionPresent, false);
    await subscribe(first.client, uniqueTopic('session0'), { qos: 1 });
    await end(first.client, false);
    await sleep(100);
    const second = await open({ clientId: id, clean: false });
    assert.equal(second.connack.sessionPresent, false, 'no session state survived a connection with Session Expiry 0');
  });
});
