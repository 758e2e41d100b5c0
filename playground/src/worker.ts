// The playground's Web Worker: the runner (runner.ts) in its own thread, so a
// long guest never blocks the page. The page makes it from a blob: URL where its
// policy allows (a blob: worker inherits the page's content security policy, so
// what the worker finds by trying is what the page allows), else from
// worker.js by URL (which takes its own response's headers; the page adds
// `#wasm=0&eval=0` where its own policy allows less than the worker may have).

import { startRunner } from './runner.js';
import type { FromWorker, ToWorker } from './protocol.js';

const scope = self as unknown as { postMessage(m: FromWorker): void; onmessage: ((ev: MessageEvent<ToWorker>) => void) | null; location: Location };
const limit = new URLSearchParams(scope.location.hash.slice(1));
const handle = startRunner((m) => scope.postMessage(m), scope.location.protocol === 'blob:' ? 'blob worker' : 'worker',
  { wasm: limit.get('wasm') !== '0', eval: limit.get('eval') !== '0' });
scope.onmessage = (ev) => handle(ev.data);
