import { createEmulator, type Emulator, type EmulatorOptions } from '../src/index.js'

/**
 * Test helpers. Requests go through the global fetch (undici inside Node): 'undici' itself
 * is a dependency of the core only and does not resolve from this package.
 */
export interface Answer {
  status: number
  headers: Headers
  text: string
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any
}

export interface PostInit {
  /** Sent as Content-Type; null omits the header. @default 'application/json' */
  contentType?: string | null
  /** Raw body text instead of JSON.stringify(payload). */
  raw?: string
  signal?: AbortSignal
}

export async function post (url: string, payload?: unknown, init: PostInit = {}): Promise<Answer> {
  const contentType = init.contentType === undefined ? 'application/json' : init.contentType
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType }
  const body = init.raw ?? JSON.stringify(payload)
  const response = await fetch(url, { method: 'POST', headers, body, ...(init.signal && { signal: init.signal }) })
  return read(response)
}

export async function get (url: string): Promise<Answer> {
  return read(await fetch(url))
}

async function read (response: Response): Promise<Answer> {
  const text = await response.text()
  let body: unknown
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text)
  return { status: response.status, headers: response.headers, text, body }
}

/** A v10 URL for the same webhook as a versionless one. */
export function v10 (url: string): string {
  return url.replace('/api/webhooks/', '/api/v10/webhooks/')
}

export function withQuery (url: string, query: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`
}

/** A clock tests move by hand, so window logic runs without sleeping. */
export class ManualClock {
  t = 1_700_000_000_000
  readonly now = (): number => this.t
  advance (ms: number): void {
    this.t += ms
  }
}

/** Starts an emulator with all limits off unless the test asks for them. */
export async function start (options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({
    ...options,
    limits: { webhook: false, channel: false, global: false, ...options.limits }
  })
}

export const WEBHOOK_ID = '112233445566778899'
export const OTHER_WEBHOOK_ID = '998877665544332211'
export const CHANNEL_ID = '445566778899001122'
export const TOKEN = 'a'.repeat(68)
