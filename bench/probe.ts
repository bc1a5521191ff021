import http from 'node:http';

/**
 * Latency as a visitor sees it: GETs sent at a fixed rate (not as fast as possible, which would
 * measure the probe's own queue), timed to the microsecond from send to last byte.
 */
export async function probeLatency(url: string, options: { seconds: number; ratePerSecond: number; headers?: Record<string, string> }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = http.get(url, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - start);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const interval = 1000 / options.ratePerSecond;
  const begin = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < options.seconds * options.ratePerSecond; i++) {
    const wait = begin + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(one());
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { count: latencies.length, errors, p50: at(0.5), p99: at(0.99) };
}
