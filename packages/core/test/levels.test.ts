import { describe, expect, it } from 'vitest'
import { knownSeverity, severityFromLevel } from '../src/levels.js'

describe('level names', () => {
  it('maps logger level names in any case, and falls back for unknown ones', () => {
    expect(severityFromLevel('CRIT')).toBe('critical')
    expect(severityFromLevel('warn')).toBe('warning')
    expect(severityFromLevel('mystery', 'error')).toBe('error')
  })

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('treats a custom level named %j as unknown, never as an Object.prototype member', (name) => {
    expect(severityFromLevel(name)).toBe('info')
    expect(knownSeverity(name)).toBeUndefined()
  })
})
