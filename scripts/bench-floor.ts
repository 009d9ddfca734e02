import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

// `npm run bench:floor`: what the deadline rush of `npm run bench` costs this machine at the
// least. A bare node:http server does only the per-byte work of a bid — SHA-256 and AES-256-GCM
// into a file, fsync, rename, fsync of the folder — without multipart, sign-in, database, audit
// log or sealing, under the same node options as `npm start`; the same 500 concurrent 200 KB
// uploads come from this process over loopback. The portal's rush latency can only be above it.
// `npm run bench -- rush` measures it too, after the rush, and sets the rush's p99 beside it.

const BIDDERS = 500;
const FILE = 200 * 1024;
const ROUNDS = 3;
const SERVER_NODE_ARGS = ['--max-semi-space-size=2', '--import', 'tsx'];

function serve(folder: string) {
  mkdirSync(path.join(folder, 'tmp'), { recursive: true });
  mkdirSync(path.join(folder, 'bids'), { recursive: true });
  let received = 0;
  const server = http.createServer(async (request, response) => {
    const name = String(received++);
    const hash = createHash('sha256');
    const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
    const encrypt = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, cipher.update(chunk));
      },
      flush(callback) {
        callback(null, cipher.final());
      },
    });
    const temporary = path.join(folder, 'tmp', name);
    await pipeline(request, encrypt, createWriteStream(temporary, { flush: true }));
    await rename(temporary, path.join(folder, 'bids', name));
    const bids = await open(path.join(folder, 'bids'), 'r');
    await bids.sync();
    await bids.close();
    response.end(JSON.stringify({ sha256: hash.digest('hex') }));
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address && typeof address === 'object') console.log(address.port);
  });
}

/** CPU seconds (user + system) a process has used, from /proc (proc(5): utime, stime in ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function upload(port: number, body: Buffer): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-length': body.length }, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(performance.now() - started));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export interface FloorRound {
  wallMs: number;
  p50: number;
  p99: number;
  /** the bare server's CPU time per upload */
  cpuMsPerBid: number;
}

/** The floor's rounds, each of `bidders` uploads of 200 KB at once against a fresh bare server; `say` is told each round. */
export async function measureFloor(say: (line: string) => void, bidders = BIDDERS): Promise<FloorRound[]> {
  const folder = mkdtempSync(path.join(tmpdir(), 'portal-floor-'));
  const server = spawn(process.execPath, [...SERVER_NODE_ARGS, fileURLToPath(import.meta.url), 'serve', folder], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [firstLine] = (await once(server.stdout, 'data')) as [Buffer];
    const port = Number(firstLine.toString().trim());
    const body = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(FILE - 9)]);
    say(`Rush floor — ${cpus().length} CPU(s), load ${loadavg()[0]!.toFixed(1)}, Node ${process.versions.node}: ${bidders} uploads of ${FILE / 1024} KB at once`);
    const rounds: FloorRound[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const started = performance.now();
      const cpuBefore = cpuSecondsOf(server.pid!);
      const latencies = (await Promise.all(Array.from({ length: bidders }, () => upload(port, body)))).sort((a, b) => a - b);
      const at = (p: number) => latencies[Math.ceil((p / 100) * latencies.length) - 1]!;
      const figures = { wallMs: performance.now() - started, p50: at(50), p99: at(99), cpuMsPerBid: ((cpuSecondsOf(server.pid!) - cpuBefore) * 1000) / bidders };
      rounds.push(figures);
      say(`round ${round}: wall ${figures.wallMs.toFixed(0)} ms, p50 ${figures.p50.toFixed(0)} ms, p99 ${figures.p99.toFixed(0)} ms, server CPU ${figures.cpuMsPerBid.toFixed(1)} ms per bid`);
    }
    return rounds;
  } finally {
    server.kill();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'serve') serve(process.argv[3]!);
  else await measureFloor((line) => console.log(line));
}
