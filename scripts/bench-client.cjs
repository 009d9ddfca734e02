// Loaded before the benchmarks (`npm run bench`, `--require`), in every thread, autocannon's
// workers included. autocannon keeps each response's body as a string (`req.body += data`,
// lib/pipelinedRequestsQueue.js), decoding it as UTF-8 — which nothing here reads. For a compressed
// body, bytes that are not UTF-8, that decoding was most of what the client spent per response, so
// the client, not the server, set the rate: a bare node:http server answering the same 9 headers
// and 4,197 bytes gave 15,800 req/s with the real Brotli bytes and 52,000 with as many letters,
// and 48,600 with the real bytes once the client keeps no body (issue 16). The bodies are dropped;
// the byte counts autocannon reports come from elsewhere and stay.
const PipelinedRequestsQueue = require('autocannon/lib/pipelinedRequestsQueue.js');

PipelinedRequestsQueue.prototype.addBody = function addBody() {};
