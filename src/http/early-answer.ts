import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * An answer sent while the client is still sending its body (413 body too large, 401 before a
 * big upload, 404, 415 ...). Closing at once, as Node does after `Connection: close`, makes
 * the client's next bytes meet a closed socket: the kernel answers them with a reset, and a
 * client that has not read the answer yet (one that sends its whole body first, as Python's
 * requests does, or a fetch that loses the race) sees the connection reset instead of the 413.
 *
 * So: the answer says `Connection: close`; our side is ended once it is written (the client
 * reads an answer and a clean end), and what the client still sends is read and thrown away
 * until it stops or closes, for at most DRAIN_MAX_BYTES or DRAIN_MAX_MS, whichever comes first,
 * so that nobody can hold a connection open by sending forever. fetch and curl stop sending as
 * soon as the answer arrives; the bounds only matter for clients that do not.
 */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
export const DRAIN_MAX_MS = 5_000;

/** Call before the answer is sent: an `onSend` hook, for every answer. */
export function answerBeforeBodyEnd(request: FastifyRequest, reply: FastifyReply): void {
  const req = request.raw;
  // `complete` is set once the HTTP parser has seen the body's end, read or not: a body
  // that arrived whole (most of them) keeps the connection alive as usual.
  if (req.complete) return;
  reply.header('connection', 'close');
  drainAfterAnswer(req);
}

function drainAfterAnswer(req: IncomingMessage): void {
  const socket = req.socket;
  let drained = 0;
  let answered = false;
  let timer: NodeJS.Timeout | undefined;
  // A bound reached: the client has had its time to read the answer.
  const cut = () => socket.destroy();
  // The client has sent everything: close once the answer is flushed.
  const close = () => (socket.writableFinished ? socket.destroy() : socket.once('finish', () => socket.destroy()));
  // Node ends a `Connection: close` answer with socket.destroySoon(): end our side, then
  // destroy the socket as soon as the answer is flushed. Here: end our side, and close
  // only once the client has stopped sending (or a bound is reached).
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    answered = true;
    this.end();
    if (req.complete) close();
    else timer = setTimeout(cut, DRAIN_MAX_MS).unref();
  };
  // Read on (and discard) what the client still sends; no one else reads it now.
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) cut();
  });
  req.on('end', () => {
    if (answered) close();
  });
  req.on('error', () => {});
  socket.once('close', () => clearTimeout(timer));
  req.resume();
}
