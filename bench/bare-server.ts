import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The reference point: a bare node:http server answering one fixed JSON body, about the
 * size of a has-paid answer. The ratio against it factors out the machine.
 */
const body = JSON.stringify({
  status: 'success',
  message: 'This project has been paid for.',
  data: { has_paid: true, project_id: '0190f0c2-1b2c-7d3e-8f40-123456789abc', domain: 'p1.example.com' },
  errors: null,
});

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
