/** A small JSON client for the gateway, keeping status, headers and body together for assertions. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClientOptions {
  /** Another fetch (the cluster shape's ingress: every host name answered on loopback). */
  fetch?: typeof fetch;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly options: ApiClientOptions = {},
  ) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.rawBody !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = options.rawBody;
    }
    const response = await (this.options.fetch ?? fetch)(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    const parsed = text === '' ? undefined : tryJson(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  async login(email: string, password: string): Promise<{ access_token: string; refresh_token: string }> {
    const response = await this.request<{ access_token: string; refresh_token: string }>('POST', '/v1/auth/login', { json: { email, password } });
    if (response.status !== 200) throw new Error(`login of ${email} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
