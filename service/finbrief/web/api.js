// Talking to the finbrief API from the page: NDJSON streams, and the API's own error bodies
// ({error, message, detail}) as the errors the page shows. Nothing here knows about the page.

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `the server answered ${status}`);
    this.status = status;
    this.code = body.error || `http_${status}`;
    this.detail = body.detail || {};
  }
}

function headers(key) {
  const out = { "Content-Type": "application/json" };
  if (key) out.Authorization = `Bearer ${key}`;
  return out;
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not the API's error shape (a proxy's page): said plainly below
  }
  if (body && typeof body.error === "string") {
    const retry = response.headers.get("Retry-After");
    if (retry && body.detail && body.detail.retry_after_s === undefined) body.detail.retry_after_s = retry;
    return new ApiError(response.status, body);
  }
  return new ApiError(response.status, {
    error: `http_${response.status}`,
    message: `the server answered ${response.status} ${response.statusText}`.trim(),
  });
}

// Each line of an NDJSON answer as an object, as it arrives. An error line ({"type": "error"})
// is thrown as the ApiError it stands for, so a failure reads the same streamed or not.
export async function* streamEvents(path, body, { key, signal }) {
  const response = await fetch(path, {
    method: "POST",
    headers: headers(key),
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await errorOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  const parse = (line) => {
    const event = JSON.parse(line);
    if (event.type === "error") throw new ApiError(event.status, event);
    return event;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += value;
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield parse(line);
    }
  }
  if (pending.trim()) yield parse(pending.trim());
}

export async function getJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

// What the reader is told for a failure: the API's message, its code and status, and the
// detail that helps (a validation error's fields, a limit, when to retry).
export function describeError(error) {
  if (error instanceof ApiError) {
    const lines = [error.message];
    const detail = error.detail || {};
    for (const item of detail.errors || []) {
      lines.push(`${(item.loc || []).join(".")}: ${item.msg}`);
    }
    if (detail.retry_after_s !== undefined) lines.push(`Try again in ${detail.retry_after_s} s.`);
    if (detail.request_id) lines.push(`Request id: ${detail.request_id}`);
    return { title: `${error.status} · ${error.code}`, lines };
  }
  if (error instanceof TypeError) {
    return { title: "Cannot reach the server", lines: [error.message] };
  }
  return { title: "Something went wrong", lines: [String(error && error.message ? error.message : error)] };
}
