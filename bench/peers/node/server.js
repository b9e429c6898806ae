// The Node.js peer of bench/: loom-service's routes on the built-in `http` module, one event loop.
//
//   node server.js --port 38003
//   node server.js --port 38003 --db postgresql://bench@127.0.0.1:5432/bench --db-pool 10
//
// Routes and answers match loom-service (see its README): GET /, /greet/{name}, /{name}, /io?ms=N,
// /fanout?n=K&ms=M, /cpu?work=N, POST /posts, GET /posts/{id}. Bad query parameters are 400 problem+json.
// CPU work goes to a pool of worker_threads (one per available core), as the Node.js docs advise for CPU-bound
// work; /fanout uses a keep-alive agent without a socket cap. Posts are kept in memory (the last 10,000), or with
// --db in PostgreSQL through a node-postgres (`pg`, package.json) pool of --db-pool connections, in
// loom-service's table: the row holds the fields re-serialised as compact JSON (key order kept), and the answers
// are {"id":N, then those fields: byte for byte what loom-service answers. No other dependency than `pg`, and
// that one only with --db (bench/run installs it with npm ci).
'use strict';

const http = require('node:http');
const os = require('node:os');
const crypto = require('node:crypto');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

const MAX_MS = 60000, MAX_WORK = 10000000, MAX_CALLS = 100, MAX_POSTS = 10000, MAX_BODY = 65536;
const CALL_TIMEOUT_MS = 5000;

function chain(work) {
  let h = Buffer.alloc(32);
  for (let i = 0; i < work; i++) h = crypto.createHash('sha256').update(h).digest();
  return h.toString('hex');
}

if (!isMainThread) {
  parentPort.on('message', ({ id, work }) => parentPort.postMessage({ id, hex: chain(work) }));
  return;
}

/** A fixed pool of workers; tasks wait in an (unbounded) queue for a free worker. */
class CpuPool {
  constructor(size) {
    this.idle = [];
    this.queue = [];
    this.pending = new Map();
    this.nextId = 0;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(__filename);
      worker.on('message', ({ id, hex }) => {
        this.pending.get(id)(hex);
        this.pending.delete(id);
        this.release(worker);
      });
      worker.unref();
      this.idle.push(worker);
    }
  }
  run(work) {
    return new Promise((resolve) => {
      const task = { id: this.nextId++, work, resolve };
      const worker = this.idle.pop();
      if (worker) this.start(worker, task); else this.queue.push(task);
    });
  }
  start(worker, { id, work, resolve }) {
    this.pending.set(id, resolve);
    worker.postMessage({ id, work });
  }
  release(worker) {
    const task = this.queue.shift();
    if (task) this.start(worker, task); else this.idle.push(worker);
  }
}

class BadRequest extends Error {}

const REASONS = { 400: 'Bad Request', 404: 'Not Found', 413: 'Content Too Large', 415: 'Unsupported Media Type',
                  422: 'Unprocessable Content', 503: 'Service Unavailable' };

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
const text = (res, body) => send(res, 200, 'text/plain; charset=UTF-8', body);
const json = (res, status, value, headers) => send(res, status, 'application/json', JSON.stringify(value), headers);
function problem(res, path, status, detail) {
  send(res, status, 'application/problem+json',
       JSON.stringify({ type: 'about:blank', title: REASONS[status], status, detail, instance: path }));
}

function intParam(query, name, low, high) {
  const values = query.getAll(name);
  const expected = `query parameter '${name}' must be one integer from ${low} to ${high}`;
  if (values.length !== 1) {
    throw new BadRequest(values.length ? `${expected}; it was given ${values.length} times` : `${expected}; it is missing`);
  }
  const raw = values[0];
  if (!/^[0-9]{1,9}$/.test(raw)) throw new BadRequest(`${expected}; got '${raw.slice(0, 32)}'`);
  const value = Number(raw);
  if (value < low || value > high) throw new BadRequest(`${expected}; got ${value}`);
  return value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function call(url) {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: CALL_TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => resolve({ url, status: res.statusCode, bytes, millis: Date.now() - start }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${CALL_TIMEOUT_MS} ms`)));
    req.on('error', (e) => resolve({ url, error: `${e.name}: ${e.message}`, millis: Date.now() - start }));
  });
}

async function fanout(req, res, query) {
  const n = intParam(query, 'n', 1, MAX_CALLS);
  const ms = intParam(query, 'ms', 0, MAX_MS);
  const url = `http://${req.socket.localAddress}:${req.socket.localPort}/io?ms=${ms}`;
  const start = Date.now();
  const calls = await Promise.all(Array.from({ length: n }, () => call(url)));
  const ok = calls.filter((c) => c.status >= 200 && c.status < 300).length;
  json(res, 200, { n, ms, totalMillis: Date.now() - start, succeeded: ok, failed: n - ok, calls });
}

const posts = new Map(); // insertion-ordered: the first key is the oldest post
let lastId = 0;

function createPost(req, res, path) {
  const type = (req.headers['content-type'] || '').toLowerCase();
  if (!/^application\/json\s*(;\s*charset=("?)utf-8\2\s*)?$/.test(type)) {
    return problem(res, path, 415, 'the body must be application/json (UTF-8)');
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY) return problem(res, path, 413, `the body must be at most ${MAX_BODY} bytes`);
    let fields;
    try {
      fields = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
    } catch (e) {
      return problem(res, path, 400, `malformed JSON: ${e.message}`);
    }
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      return problem(res, path, 422, 'the body must be a JSON object');
    }
    if ('id' in fields) return problem(res, path, 422, "'id' is assigned by the server; leave it out");
    if (db) return storePost(res, JSON.stringify(fields));
    const post = { id: ++lastId, ...fields };
    posts.set(post.id, post);
    if (posts.size > MAX_POSTS) posts.delete(posts.keys().next().value);
    json(res, 201, post, { Location: `/posts/${post.id}` });
  });
}

// With --db: a fixed-size pool (as loom-service's), named statements, which node-postgres prepares once per connection.
let db = null;
const INSERT = { name: 'insert-post', text: 'INSERT INTO posts (body) VALUES ($1) RETURNING id' };
const SELECT = { name: 'select-post', text: 'SELECT body FROM posts WHERE id = $1' };

/** {"id":N,...fields}: the stored object with the id put first, as loom-service composes it. */
const withId = (id, stored) => `{"id":${id}${stored === '{}' ? '}' : ',' + stored.slice(1)}`;

function sendJson(res, status, body, headers = {}) {
  send(res, status, 'application/json', body, headers);
}

function storePost(res, stored) {
  db.query({ ...INSERT, values: [stored] }).then(({ rows }) => {
    const id = rows[0].id; // BIGINT arrives as a string: printed as is
    sendJson(res, 201, withId(id, stored), { Location: `/posts/${id}` });
  }, (e) => dbFailed(res, e));
}

function findPost(res, path, raw) {
  if (!/^[0-9]{1,18}$/.test(raw)) return problem(res, path, 404, `no post with id '${raw}'`);
  db.query({ ...SELECT, values: [raw] }).then(({ rows }) => {
    if (rows.length === 0) return problem(res, path, 404, `no post with id '${raw}'`);
    sendJson(res, 200, withId(BigInt(raw), rows[0].body));
  }, (e) => dbFailed(res, e));
}

function dbFailed(res, e) {
  console.error(e);
  if (!res.headersSent) problem(res, '/posts', 503, 'the posts database is not answering');
}

function greeting(raw) {
  let name;
  try {
    name = decodeURIComponent(raw);
  } catch (e) {
    throw new BadRequest(`the name is not valid percent-encoded UTF-8`);
  }
  return name.trim() ? name : 'Anonymous';
}

const cpuPool = new CpuPool(os.availableParallelism());

async function route(req, res) {
  const url = new URL(req.url, 'http://peer');
  const path = url.pathname;
  if (req.method === 'POST' && path === '/posts') return createPost(req, res, path);
  if (req.method !== 'GET') return problem(res, path, 404, `no route for ${req.method} ${path}`);
  if (path === '/') return text(res, 'Hello, World!');
  if (path === '/io') {
    const ms = intParam(url.searchParams, 'ms', 0, MAX_MS);
    await sleep(ms);
    return text(res, `slept ${ms} ms`);
  }
  if (path === '/cpu') return text(res, await cpuPool.run(intParam(url.searchParams, 'work', 0, MAX_WORK)));
  if (path === '/fanout') return fanout(req, res, url.searchParams);
  if (path === '/greet' || path.startsWith('/greet/')) return text(res, `Hello, ${greeting(path.slice(7))}!`);
  const post = /^\/posts\/([^/]+)$/.exec(path);
  if (post && db) return findPost(res, path, post[1]);
  if (post) {
    const found = posts.get(Number(post[1]));
    return found ? json(res, 200, found) : problem(res, path, 404, `no post with id '${post[1]}'`);
  }
  const one = /^\/([^/]*)$/.exec(path);
  if (one) return text(res, `Hello, ${greeting(one[1])}`);
  return problem(res, path, 404, `no route for ${path}`);
}

const server = http.createServer((req, res) => {
  route(req, res).catch((e) => {
    if (e instanceof BadRequest) return problem(res, new URL(req.url, 'http://peer').pathname, 400, e.message);
    console.error(e);
    if (!res.headersSent) problem(res, req.url, 500, 'The server failed to handle this request.');
  });
});
// Keep idle keep-alive connections as long as loom-service does (server.idle-connection-timeout: 60 s), not 5 s.
server.keepAliveTimeout = 60000;

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
if (option('--db')) {
  const { Pool } = require('pg');
  db = new Pool({ connectionString: option('--db'), max: Number(option('--db-pool', 10)) });
}
server.listen({ port: Number(option('--port')), host: option('--host', '127.0.0.1'), backlog: 4096 });
