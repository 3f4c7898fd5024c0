import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The console's built files (packages/console/dist), or null when the console is not installed or not built. */
async function consoleFiles(): Promise<Map<string, Buffer> | null> {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('@tributary/console/dist/index.html'));
  } catch {
    return null;
  }
  const files = new Map<string, Buffer>();
  for (const name of ['index.html', 'console.js', 'console.css']) {
    try {
      files.set(name, await readFile(join(dir, name)));
    } catch {
      if (name === 'index.html') return null;
    }
  }
  return files;
}

/**
 * The web console at `/ui/`: a single page whose every action is a call to this REST API. Read once at
 * start; the same auth as the API guards it.
 */
export function uiRoutes(): FastifyPluginAsync {
  return async (app) => {
    const files = await consoleFiles();
    app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 302));
    app.get<{ Params: { '*': string } }>('/ui/*', async (req, reply) => {
      if (!files)
        return reply.code(404).send({ error_code: 404, message: 'The console is not built: run npm run build' });
      const path = req.params['*'];
      // Paths without a known file are the app's own routes: the page handles them.
      const name = files.has(path) ? path : 'index.html';
      const ext = name.slice(name.lastIndexOf('.'));
      return reply
        .header('Content-Type', TYPES[ext] ?? 'application/octet-stream')
        .header('Cache-Control', name === 'index.html' ? 'no-cache' : 'max-age=300')
        .header('X-Content-Type-Options', 'nosniff')
        .send(files.get(name));
    });
  };
}
