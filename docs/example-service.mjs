// An invoice-extraction HTTP endpoint in a few lines: load the model once, answer each POST with its fields.
//
//   node docs/example-service.mjs MODEL_DIR [PORT]          (PORT 0: any free port; it prints the one it got)
//   curl --data-binary @invoice.pdf http://127.0.0.1:8080/predict
//   curl -H 'content-type: application/json' --data-binary @invoice.json http://127.0.0.1:8080/predict
//
// The body is the document: PDF, PNG/JPEG/TIFF bytes, or a native JSON document. Concurrent requests share
// the one loaded model (HybridocModel is safe under concurrent calls). Bad documents get 400 with one line.
import { createServer } from 'node:http';
import { HybridocError, HybridocModel } from '@hybridoc/core';

const MAX_BODY = 50 * 1024 * 1024;
const [modelDir, port = '8080'] = process.argv.slice(2);
if (!modelDir) {
  process.stderr.write('usage: node docs/example-service.mjs MODEL_DIR [PORT]\n');
  process.exit(2);
}
const model = await HybridocModel.load(modelDir);

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
};

const server = createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/predict') return send(res, 404, { error: 'POST a document to /predict' });
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) return send(res, 413, { error: `document larger than ${MAX_BODY} bytes` });
    chunks.push(chunk);
  }
  try {
    const { id, fields, timing, warnings } = await model.predict(Buffer.concat(chunks), { name: 'request body' });
    send(res, 200, { id, fields, timing, ...(warnings ? { warnings } : {}) });
  } catch (err) {
    send(res, err instanceof HybridocError ? 400 : 500, { error: err.message });
  }
});

server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}/predict\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => model.close()));
