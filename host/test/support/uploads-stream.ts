import http from 'node:http';

export interface StreamedAnswer {
  status: number;
  body: string;
  /** Body bytes the client had written when the answer arrived. */
  writtenAtAnswer: number;
}

/**
 * Sends a request whose body is `total` bytes streamed in 1 MiB chunks with backpressure, and stops
 * writing as soon as the server answers: a server that refuses without reading answers long before
 * the body is through.
 */
export function streamRequest(
  url: string,
  options: { method: string; headers: Record<string, string>; total: number },
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let written = 0;
    let answered = false;
    let wake: (() => void) | undefined;
    const req = http.request(url, {
      method: options.method,
      headers: { ...options.headers, 'content-length': String(options.total) },
    });
    req.on('response', (res) => {
      answered = true;
      const writtenAtAnswer = written;
      wake?.();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body, writtenAtAnswer });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      while (!answered && written < options.total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.total - written));
        written += piece.length;
        if (!req.write(piece))
          await new Promise<void>((r) => {
            wake = r;
            req.once('drain', r);
          });
      }
      if (!answered) req.end();
    })();
  });
}
