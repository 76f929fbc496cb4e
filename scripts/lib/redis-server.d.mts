export interface TestRedis {
  port: number
  /** redis://[:password@]127.0.0.1:port, or with `tls` rediss://[:password@]localhost:port */
  url: string
  stop: () => Promise<void>
  restart: () => Promise<void>
}
export function redisAvailable (): boolean
export function startRedis (options?: { password?: string, debugCommand?: boolean, tls?: { certFile: string, keyFile: string, caFile: string } }): Promise<TestRedis | undefined>
