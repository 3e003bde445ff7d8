import type { Readable } from 'node:stream';
import { DefaultHttpStack, type HttpRequest, type HttpStack } from 'tus-js-client';
import { Throttle } from './throttle.js';

/** tus-js-client's Node HTTP stack with request bodies piped through a bandwidth cap. */
export function throttledHttpStack(kbps: number): HttpStack {
  const inner = new DefaultHttpStack({});
  if (kbps <= 0) return inner;
  return {
    getName: () => 'ThrottledNodeHttpStack',
    createRequest(method: string, url: string): HttpRequest {
      const request = inner.createRequest(method, url);
      const send = request.send.bind(request);
      request.send = (body?: unknown) => {
        const readable = body as Readable | undefined;
        return send(
          readable && typeof readable.pipe === 'function' ? readable.pipe(new Throttle(kbps)) : body,
        );
      };
      return request;
    },
  };
}
