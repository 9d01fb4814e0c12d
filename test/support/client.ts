import * as cheerio from 'cheerio';

export type Page = {
  status: number;
  headers: Headers;
  text: string;
  $: cheerio.CheerioAPI;
  location: string | null;
};

/** A file field of a multipart form. */
export type FileField = { name: string; type: string; content: Buffer };

/** Reads a response into a Page (status, headers, text, parsed HTML, redirect target). */
export async function pageFrom(response: Response): Promise<Page> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, $: cheerio.load(text), location: response.headers.get('location') };
}

/**
 * A small browser stand-in for integration tests: keeps cookies, sends forms with the
 * CSRF token and an Origin header like a browser, never follows redirects on its own
 * (tests assert them), and parses HTML with cheerio.
 */
export class Client {
  readonly cookies = new Map<string, string>();
  private csrf: string | undefined;
  readonly baseUrl: string;
  ip: string | undefined;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The cookie and Origin headers a browser would send, for requests made with fetch directly (streams, downloads). */
  browserHeaders(): Record<string, string> {
    return { cookie: this.cookieHeader(), origin: new URL(this.baseUrl).origin };
  }

  private remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...rest] = pair.split('=');
      const value = rest.join('=');
      const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
  }

  async request(method: string, path: string, init: { body?: string | URLSearchParams | FormData; headers?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (this.ip) headers['x-forwarded-for'] = this.ip;
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: init.body, redirect: 'manual' });
    this.remember(response.headers);
    return pageFrom(response);
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request('GET', path, { headers });
  }

  /** The CSRF token for this client's cookie, fetched once from any page. */
  async csrfToken(): Promise<string> {
    if (!this.csrf || !this.cookies.has('hp_csrf')) {
      const page = await this.get('/');
      const headers = page.$('body').attr('data-hx-headers');
      this.csrf = headers ? JSON.parse(headers)['X-CSRF-Token'] : undefined;
      if (!this.csrf) throw new Error('no CSRF token on /');
    }
    return this.csrf;
  }

  /** Posts a form as a browser would: urlencoded, with the hidden _csrf field and Origin. */
  /** A urlencoded form; a list is sent as the same field repeated (checkboxes). */
  async post(path: string, fields: Record<string, string | string[]> = {}, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const body = new URLSearchParams(Object.entries(fields).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v])));
    if (options.csrf !== false) body.set('_csrf', await this.csrfToken());
    return this.request('POST', path, {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(this.baseUrl).origin, ...options.headers },
    });
  }

  /** Posts a file upload form as a browser does: multipart, the CSRF token in the action URL, files last. */
  async postMultipart(path: string, fields: Record<string, string | string[]>, files: FileField[] = [], fileField = 'attachments') {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
    for (const file of files) form.append(fileField, new Blob([new Uint8Array(file.content)], { type: file.type }), file.name);
    return this.request('POST', `${path}?_csrf=${encodeURIComponent(await this.csrfToken())}`, {
      body: form,
      headers: { origin: new URL(this.baseUrl).origin },
    });
  }

  async loginStaff(email: string, password: string) {
    const page = await this.post('/verwaltung/anmelden', { email, password });
    if (page.status !== 303) throw new Error(`staff login failed for ${email}: ${page.status}`);
    return page;
  }

  async loginPortal(email: string, password: string) {
    const page = await this.post('/portal/anmelden', { email, password });
    if (page.status !== 303) throw new Error(`portal login failed for ${email}: ${page.status}`);
    return page;
  }
}
