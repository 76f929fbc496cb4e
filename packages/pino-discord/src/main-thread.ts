/**
 * Main-thread helpers. pino clones transport options into the worker with structuredClone; a function
 * among them fails there as a bare DataCloneError. These helpers validate first, on the caller's
 * thread, so a mistake reads as "Invalid option `formatter`: … pass a module path".
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TransportSingleOptions, TransportTargetOptions, LevelWithSilentOrString } from 'pino'
import { InvalidOptionError } from '@logcord/core'
import { assertKnownOptions } from '@logcord/core/internal'
import { resolvePinoOptions, type PinoDiscordOptions } from './options.js'

/** pino's level names (pino/lib/constants.js) and `silent`. */
const PINO_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

/**
 * The built entry pino's worker loads. `src/` and `dist/` are siblings, so the same relative path
 * works from the bundle and from the sources (tests); the worker itself always needs the bundle.
 */
export function transportTarget (): string {
  const here = fileURLToPath(import.meta.url)
  return join(dirname(here), '..', 'dist', here.endsWith('.cjs') ? 'index.cjs' : 'index.js')
}

/**
 * A validated entry for pino's `targets`, beside `pino/file` or others:
 * `pino.transport({ targets: [discordTarget({ webhookUrl }, { level: 'warn' }), { target: 'pino/file' }] })`.
 *
 * `level` is one of pino's names (trace, debug, info, warn, error, fatal, silent) or a level number.
 * A custom level's name cannot be checked here (the logger's `customLevels` are not known): pass its
 * number. pino's multistream gives an unknown name no level at all, so that target would receive
 * nothing, silently: hence the check.
 * @throws InvalidOptionError naming `level` (with the closest name: `warning` → `warn`) or the option
 */
export function discordTarget (options: PinoDiscordOptions, target: { level?: LevelWithSilentOrString } = {}): TransportTargetOptions {
  resolvePinoOptions(options, 'worker')
  if (typeof target !== 'object' || target === null) throw new InvalidOptionError('target', 'an object like { level: \'warn\' }', target)
  assertKnownOptions(target, ['level'])
  const level: unknown = target.level
  if (level !== undefined && !(typeof level === 'number' && Number.isFinite(level)) && !(PINO_LEVELS as readonly unknown[]).includes(level)) {
    const hint = typeof level === 'string' && level.toLowerCase() === 'warning' ? 'Did you mean \'warn\'? ' : typeof level === 'string' && (PINO_LEVELS as readonly string[]).includes(level.toLowerCase()) ? `Did you mean '${level.toLowerCase()}'? ` : ''
    throw new InvalidOptionError('level', `one of pino's levels (${PINO_LEVELS.join(', ')}) or a level number`, level, `${hint}For a custom level, pass its number.`)
  }
  // Untyped options on purpose: entries of one `targets` array must share a type with `pino/file`'s.
  const entry: TransportTargetOptions = { target: transportTarget(), options: { ...options } }
  if (target.level !== undefined) entry.level = target.level
  return entry
}

/** `pino.transport()` options other than the target and its options (`worker`, `sync`, `caller`, …). */
export type PinoTransportOptions = Omit<TransportSingleOptions<PinoDiscordOptions>, 'target' | 'options'>

/**
 * Streams started by discordTransport(), held until they close. pino holds a transport's stream weakly
 * once its worker is ready: in a script whose logger is only used by its top-level code, a garbage
 * collection takes the stream, pino's exit hook then has nothing to end, and the worker, with the records
 * it is still delivering, dies with the process, silently. Held here, the exit drains them.
 */
const open = new Set<object>()

/**
 * Validates `options` on this thread, then starts the transport in pino's worker:
 * `const logger = pino({ level: 'warn' }, discordTransport({ webhookUrl }))`. The stream is kept until it
 * closes (`stream.end()`, or the process exit), so the records it holds reach Discord even when nothing
 * else references the logger.
 */
export function discordTransport (options: PinoDiscordOptions, pinoTransportOptions: PinoTransportOptions = {}): ReturnType<typeof import('pino').transport> {
  resolvePinoOptions(options, 'worker')
  // Loaded lazily: pino is a peer dependency, and the worker side of this package never needs it.
  const pino = createRequire(import.meta.url)('pino') as typeof import('pino')
  const stream = pino.transport<PinoDiscordOptions>({ ...pinoTransportOptions, target: transportTarget(), options })
  open.add(stream)
  stream.once('close', () => open.delete(stream))
  return stream
}
