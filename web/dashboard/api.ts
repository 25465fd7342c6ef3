// Calls to the dashboard's relay. A token given in the first URL (?token=) is
// kept in sessionStorage (this tab only), dropped from the address bar, and sent
// as a bearer header on every call.

const TOKEN_KEY = 'swarm-dashboard-token';

export function adoptToken(): void {
  const url = new URL(location.href);
  const t = url.searchParams.get('token');
  if (t === null) return;
  sessionStorage.setItem(TOKEN_KEY, t);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

function headers(json: boolean): HeadersInit {
  const out: Record<string, string> = {};
  const t = sessionStorage.getItem(TOKEN_KEY);
  if (t) out.authorization = `Bearer ${t}`;
  if (json) out['content-type'] = 'application/json';
  return out;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api${path}`, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const msg = (parsed as { error?: string } | null)?.error ?? `the dashboard answered ${res.status}`;
    throw new ApiError(res.status, msg, parsed);
  }
  return parsed as T;
}

/** Reads a streamed answer (one JSON value per line) until it ends or `signal` aborts. */
export async function stream(path: string, onItem: (item: unknown) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(`/api${path}`, { headers: headers(false), signal });
  if (!res.ok || !res.body) {
    const parsed = (await res.json().catch(() => null)) as { error?: string } | null;
    throw new ApiError(res.status, parsed?.error ?? `the dashboard answered ${res.status}`, parsed);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onItem(JSON.parse(line));
    }
  }
}
