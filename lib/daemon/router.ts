// A small method + path-pattern router for the control API.

import { ControlError, ControlHandler, ControlRequest, ControlResponse } from './control-server';

type Handler = (req: ControlRequest, params: Record<string, string>) => Promise<ControlResponse>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  handler(): ControlHandler {
    return async (req) => {
      const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
      let pathMatched = false;
      for (const r of this.routes) {
        const params = match(r.parts, parts);
        if (!params) continue;
        pathMatched = true;
        if (r.method === req.method) return r.handler(req, params);
      }
      if (pathMatched) throw new ControlError(405, `${req.method} is not allowed on ${req.path}`);
      throw new ControlError(404, `no such endpoint: ${req.path}`);
    };
  }
}

function match(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = parts[i];
    else if (pattern[i] !== parts[i]) return undefined;
  }
  return params;
}

export const ok = (body: unknown): ControlResponse => ({ status: 200, body });
