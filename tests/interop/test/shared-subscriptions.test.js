// MQTT 5.0 Shared Subscriptions (§4.8.2) with MQTT.js protocolVersion 5.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
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

const payloads = (inbox) => inbox.messages.map((m) => m.payload.toString());

describe('shared subscriptions', () => {
  test('CONNACK does not deny shared subscriptions [§3.2.2.3.14]', async () => {
    const { connack } = await open();
    assert.notEqual(connack.properties?.sharedSubscriptionAvailable, false);
  });

  test('two members of $share/group/topic each receive a share of 10 messages, none twice, none lost [§4.8.2]', async () => {
    const topic = uniqueTopic('share');
    const { client: a } = await open();
    const { client: b } = await open();
    const inboxA = collect(a);
    const inboxB = collect(b);
    const grantedA = await subscribe(a, `$share/g1/${topic}`, { qos: 1 });
    const grantedB = await subscribe(b, `$share/g1/${topic}`, { qos: 1 });
    assert.deepEqual([...grantedA, ...grantedB].map((g) => g.qos), [1, 1]);

    const { client: pub } = await open();
    const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const p of sent) await publish(pub, topic, p, { qos: 1 });
    const deadline = Date.now() + 5_000;
    while (inboxA.messages.length + inboxB.messages.length < sent.length && Date.now() < deadline) await sleep(20);
    await sleep(200);

    const all = [...payloads(inboxA), ...payloads(inboxB)];
    assert.deepEqual([...all].sort(), [...sent].sort(), `every message once across the group (a: ${payloads(inboxA)}; b: ${payloads(inboxB)})`);
    assert.ok(inboxA.messages.length > 0 && inboxB.messages.length > 0,
      `both members got a share (a: ${inboxA.messages.length}, b: ${inboxB.messages.length})`);
    for (const m of [...inboxA.messages, ...inboxB.messages]) {
      assert.equal(m.topic, topic, 'delivered on the publication topic, not the $share filter');
    }
  });

  test('MQTT 3.1.1 clients can share a subscription too, as EMQX allows', async () => {
    const topic = uniqueTopic('share-v4');
    const a = (await open({ protocolVersion: 4 })).client;
    const b = (await open({ protocolVersion: 4 })).client;
    const inboxA = collect(a);
    const inboxB = collect(b);
    await subscribe(a, `$share/v4/${topic}`, { qos: 1 });
    await subscribe(b, `$share/v4/${topic}`, { qos: 1 });

    const { client: pub } = await open({ protocolVersion: 4 });
    const sent = Array.from({ length: 6 }, (_, i) => `m${i}`);
    for (const p of sent) await publish(pub, topic, p, { qos: 1 });
    const deadline = Date.now() + 5_000;
    while (inboxA.messages.length + inboxB.messages.length < sent.length && Date.now() < deadline) await sleep(20);
    await sleep(200);

    assert.deepEqual([...payloads(inboxA), ...payloads(inboxB)].sort(), [...sent].sort());
    assert.ok(inboxA.messages.length > 0 && inboxB.messages.length > 0);
  });

  test('each group and each non-shared subscription gets every message [§4.8.2]', async () => {
    const topic = uniqueTopic('share-groups');
    const members = [];
    for (const filter of [`$share/g1/${topic}`, `$share/g1/${topic}`, `$share/g2/${topic}`, `$share/g2/${topic}`]) {
      const { client } = await open();
      await subscribe(client, filter, { qos: 1 });
      members.push({ filter, inbox: collect(client) });
    }
    const { client: plain } = await open();
    const plainInbox = collect(plain);
    await subscribe(plain, topic, { qos: 1 });

    const { client: pub } = await open();
    const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const p of sent) await publish(pub, topic, p, { qos: 1 });
    await plainInbox.waitFor(sent.length);
    const deadline = Date.now() + 5_000;
    const total = () => members.reduce((n, m) => n + m.inbox.messages.length, 0);
    while (total() < 2 * sent.length && Date.now() < deadline) await sleep(20);
    await sleep(200);

    assert.deepEqual(payloads(plainInbox), sent, 'the non-shared subscription got all, in order');
    for (const group of ['g1', 'g2']) {
      const got = members.filter((m) => m.filter.includes(`/${group}/`)).flatMap((m) => payloads(m.inbox));
      assert.deepEqual(got.sort(), [...sent].sort(), `group ${group} got every message exactly once`);
    }
  });

  test('a member leaving the group: the remaining member gets every later message [§4.8.2]', async () => {
    const topic = uniqueTopic('share-leave');
    const { client: a } = await open();
    const { client: b } = await open();
    const inboxA = collect(a);
    await subscribe(a, `$share/g/${topic}`, { qos: 1 });
    await subscribe(b, `$share/g/${topic}`, { qos: 1 });
    await end(b, false);
    const { client: pub } = await open();
    const sent = Array.from({ length: 6 }, (_, i) => `m${i}`);
    for (const p of sent) await publish(pub, topic, p, { qos: 1 });
    await inboxA.waitFor(sent.length);
    assert.deepEqual(payloads(inboxA).sort(), [...sent].sort());
  });

  test('retained messages are not sent when a shared subscription is made [§3.3.1.3 / §4.8.2]', async () => {
    const topic = uniqueTopic('share-retained');
    const { client: pub } = await open();
    await publish(pub, topic, 'retained', { qos: 1, retain: true });
    const { client: sub } = await open();
    const inbox = collect(sub);
    await subscribe(sub, `$share/g/${topic}`, { qos: 1 });
    await sleep(300);
    assert.equal(inbox.messages.length, 0);
    await publish(pub, topic, 'live', { qos: 1 });
    const [live] = await inbox.waitFor(1);
    assert.equal(live.payload.toString(), 'live');
  });

  test('No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82 [MQTT-3.8.3-4]', async () => {
    const { client } = await open();
    client.on('error', () => {});
    const disconnected = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no DISCONNECT / close within 3000 ms')), 3_000);
      client.once('disconnect', (p) => { clearTimeout(timer); resolve(p); });
      client.once('close', () => { clearTimeout(timer); resolve(null); });
    });
    client.subscribe(`$share/g/${uniqueTopic('share-nl')}`, { qos: 1, nl: true }, () => {});
    const packet = await disconnected;
    assert.ok(packet, 'the server sent DISCONNECT');
    assert.equal(packet.reasonCode, 0x82);
  });
});
