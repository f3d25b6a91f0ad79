// Starts the real Manta server (the build output of src/Manta.Server) for the interop tests,
// and gives the tests a few bounded helpers around MQTT.js.
//
// Every wait here has a timeout; a server is stopped by its PID (SIGTERM, then SIGKILL).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
const serverProject = path.join(repoRoot, 'src', 'Manta.Server');

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const BUILD_TIMEOUT_MS = 300_000;

/** Path of manta.dll: $MANTA_DLL, else Release, else Debug, else build Release first. */
export function findMantaDll() {
  if (process.env.MANTA_DLL) {
    if (!existsSync(process.env.MANTA_DLL)) throw new Error(`MANTA_DLL=${process.env.MANTA_DLL} does not exist`);
    return process.env.MANTA_DLL;
  }
  const candidate = (config) => path.join(serverProject, 'bin', config, 'net10.0', 'manta.dll');
  for (const config of ['Release', 'Debug']) {
    if (existsSync(candidate(config))) return candidate(config);
  }
  const build = spawnSync('dotnet', ['build', serverProject, '-c', 'Release', '--nologo', '-v', 'q'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (build.status !== 0 || !existsSync(candidate('Release'))) {
    throw new Error(`dotnet build src/Manta.Server -c Release failed (status ${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  return candidate('Release');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Resolves with the promise's value, or with `fallback` after ms; leaves no timer behind. */
function within(promise, ms, fallback) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve) => { timer = setTimeout(() => resolve(fallback), ms); }),
  ]).finally(() => clearTimeout(timer));
}

const running = new Set();
// Last resort if a test file dies without its after hook: kill what we started, by PID.
process.on('exit', () => {
  for (const child of running) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

class MantaServer {
  constructor(child, port, output) {
    this.child = child;
    this.port = port;
    this.host = '127.0.0.1';
    this.url = `mqtt://127.0.0.1:${port}`;
    this.output = output;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** Last lines the server wrote (for failure messages). */
  log() {
    return this.output.join('');
  }

  /** SIGTERM by PID, SIGKILL if it has not exited after STOP_TIMEOUT_MS. */
  async stop() {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const stopped = await within(this.exited.then(() => true), STOP_TIMEOUT_MS, false);
      if (!stopped) {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
        await within(this.exited, STOP_TIMEOUT_MS, undefined);
      }
    }
    running.delete(child);
  }
}

async function startOnce(dll, port, extraArgs) {
  const args = [
    dll,
    '--Manta:Listeners:0:Address=127.0.0.1',
    `--Manta:Listeners:0:Port=${port}`,
    // The HTTP side (health, metrics) is not under test here, and several servers run at once.
    '--Manta:Http:Enabled=false',
    // Several servers run at once from one directory: state in memory, not in a shared ./data.
    '--Manta:Storage:Mode=Memory',
    ...extraArgs,
  ];
  const child = spawn('dotnet', args, {
    cwd: path.dirname(dll),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
  });
  running.add(child);
  const output = [];
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const server = new MantaServer(child, port, output);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      return { server: null, output: output.join('') };
    }
    if (await canConnect(port)) return { server };
    await sleep(100);
  }
  await server.stop();
  throw new Error(`manta did not accept connections on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${output.join('')}`);
}

/**
 * Starts manta on a free loopback port with extra command-line settings, e.g.
 * startManta(['--Manta:Broker:Policy:MaximumQoS=AtLeastOnce']). Resolves once the port accepts
 * connections. Retries with another port if the process exits (e.g. the port was taken).
 */
export async function startManta(extraArgs = []) {
  const dll = findMantaDll();
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const { server, output } = await startOnce(dll, port, extraArgs);
    if (server) return server;
    lastOutput = output;
  }
  throw new Error(`manta exited before accepting connections:\n${lastOutput}`);
}

// ---------------------------------------------------------------------------------------------
// MQTT.js helpers

let clientCounter = 0;

/** A client id unique within this run. */
export function clientId(tag = 'c') {
  clientCounter += 1;
  return `interop-${tag}-${process.pid}-${clientCounter}`;
}

/** A topic prefix unique within this run. */
export function uniqueTopic(tag = 't') {
  clientCounter += 1;
  return `interop/${tag}/${process.pid}-${clientCounter}-${Math.random().toString(16).slice(2, 8)}`;
}

/**
 * Connects an MQTT.js client to the server; resolves with { client, connack } or rejects after
 * timeoutMs. Never reconnects by itself (reconnectPeriod 0) unless the caller says so.
 */
export function connect(server, options = {}, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      host: server.host,
      port: server.port,
      protocol: 'mqtt',
      protocolVersion: 5,
      clientId: clientId(),
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      keepalive: 30,
      ...options,
    });
    // Record messages from the start: a resumed session's queued messages may arrive in the same
    // read as the CONNACK, before the caller could attach a listener.
    collect(client);
    const timer = setTimeout(() => {
      cleanup();
      client.end(true);
      reject(new Error(`no CONNACK within ${timeoutMs} ms`));
    }, timeoutMs);
    const onConnect = (connack) => {
      cleanup();
      resolve({ client, connack });
    };
    const onError = (err) => {
      cleanup();
      client.end(true);
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('connection closed before CONNACK'));
    };
    function cleanup() {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    }
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** Ends a client (forcefully, no waiting for inflight), bounded. */
export function end(client, force = true) {
  if (!client) return Promise.resolve();
  return within(new Promise((resolve) => client.end(force, {}, () => resolve())), 2_000, undefined);
}

/** Rejects after ms with a message; for racing against a promise. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Records every 'message' event of a client. `await inbox.waitFor(n)` resolves with the first n
 * messages (each { topic, payload, packet }) or rejects after timeoutMs.
 */
export function collect(client) {
  if (client[INBOX]) return client[INBOX];
  const messages = [];
  const waiters = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload, packet });
    for (const w of [...waiters]) {
      if (messages.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(messages.slice(0, w.n));
      }
    }
  });
  client[INBOX] = {
    messages,
    waitFor(n, timeoutMs = 5_000) {
      if (messages.length >= n) return Promise.resolve(messages.slice(0, n));
      let w;
      const p = new Promise((resolve) => {
        w = { n, resolve };
        waiters.push(w);
      });
      return withTimeout(p, timeoutMs, `${n} message(s) (got ${messages.length}: ${messages.map((m) => m.topic).join(', ')})`)
        .catch((err) => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          err.message = `timed out after ${timeoutMs} ms waiting for ${n} message(s); got ${messages.length}: [${messages.map((m) => m.topic).join(', ')}]`;
          throw err;
        });
    },
  };
  return client[INBOX];
}

const INBOX = Symbol('inbox');

/** Subscribes and returns the SUBACK grants; rejects on error or after timeoutMs. */
export function subscribe(client, topic, options = {}, timeoutMs = 5_000) {
  return withTimeout(client.subscribeAsync(topic, options), timeoutMs, `SUBACK for ${JSON.stringify(topic)}`);
}

/** Publishes and resolves when the QoS flow is complete; rejects on error or after timeoutMs. */
export function publish(client, topic, payload, options = {}, timeoutMs = 5_000) {
  return withTimeout(client.publishAsync(topic, payload, options), timeoutMs, `publish to ${topic} to complete`);
}

export { sleep };
